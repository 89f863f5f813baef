/**
 * Shared input checks for `Model.evaluate` implementations, so every backend rejects bad
 * input with the same typed errors.
 */
import { EmptyBatchError } from '../errors/empty-batch-error';
import { InvalidArgumentError } from '../errors/invalid-argument-error';
import { ShapeMismatchError } from '../errors/shape-mismatch-error';
import type { BatchIndices } from './model';

/** Returns the batch as Int32Array after checking it is non-empty and in `[0, datasetSize)`. */
export function checkBatch(batch: BatchIndices, datasetSize: number, where: string): Int32Array {
  if (batch.length === 0) throw new EmptyBatchError({ where });
  const indices = batch instanceof Int32Array ? batch : Int32Array.from(batch);
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i] as number;
    const raw = batch[i] as number;
    if (!Number.isInteger(raw) || k < 0 || k >= datasetSize) {
      throw new InvalidArgumentError({
        argument: `batch[${i}]`,
        value: raw,
        message: `${where}: batch index ${raw} at position ${i} is outside the dataset [0, ${datasetSize})`,
      });
    }
  }
  return indices;
}

/** Checks a list of parameter-like shapes against the expected ones. */
export function checkShapes(
  what: string,
  expected: readonly (readonly number[])[],
  actual: readonly (readonly number[])[],
): void {
  if (expected.length !== actual.length) {
    throw new ShapeMismatchError({
      what: `${what} (number of tensors)`,
      expected: [expected.length],
      actual: [actual.length],
    });
  }
  expected.forEach((shape, i) => {
    const got = actual[i] as readonly number[];
    if (shape.length !== got.length || shape.some((d, k) => d !== got[k])) {
      throw new ShapeMismatchError({ what: `${what}[${i}]`, expected: shape, actual: got });
    }
  });
}

/**
 * The input of `Model.predict`: a Float32Array of `count` examples of `width` values each.
 * Without `count`, it is inferred from the length when that is a whole number of examples.
 * @returns the number of examples
 */
export function checkPredictInput(features: unknown, count: number | undefined, width: number, where: string): number {
  if (!(features instanceof Float32Array)) {
    throw new InvalidArgumentError({
      argument: 'features',
      value: features,
      message: `${where}: features must be a Float32Array of examples × ${width} values, got ${Object.prototype.toString.call(features).slice(8, -1)}`,
    });
  }
  if (count === undefined) {
    if (features.length % width === 0) return features.length / width;
    throw new ShapeMismatchError({
      what: `${where} features (${features.length} values are not a whole number of ${width}-value examples; pass count)`,
      expected: [features.length / width, width].map(Math.floor),
      actual: [features.length],
    });
  }
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new InvalidArgumentError({
      argument: 'count',
      value: count,
      message: `${where}: count must be an integer ≥ 0, got ${count}`,
    });
  }
  if (features.length !== count * width) {
    throw new ShapeMismatchError({ what: `${where} features`, expected: [count, width], actual: [features.length] });
  }
  return count;
}
