/**
 * The dataset type every backend compiles against: features as one Float32Array of
 * `size × prod(featureShape)` values (row-major), plus integer class labels and/or
 * float regression targets.
 */
import { InvalidArgumentError } from '../errors/invalid-argument-error';
import { ShapeMismatchError } from '../errors/shape-mismatch-error';

export interface Dataset {
  /** Human-readable name, e.g. `'mnist/train'`. */
  readonly name: string;
  /** Number of examples. */
  readonly size: number;
  /** Shape of one example, e.g. `[784]` or `[28, 28, 1]`. */
  readonly featureShape: readonly number[];
  /** `size × prod(featureShape)` values. */
  readonly features: Float32Array;
  /** Class labels in `[0, numClasses)`; required for softmax cross-entropy. */
  readonly labels?: Int32Array;
  readonly numClasses?: number;
  /** Regression targets, `size × targetSize`; for `mse`. If absent, `mse` uses one-hot labels. */
  readonly targets?: Float32Array;
  readonly targetSize?: number;
}

/** Number of feature values per example. */
export const featureSize = (dataset: Pick<Dataset, 'featureShape'>): number =>
  dataset.featureShape.reduce((a, b) => a * b, 1);

/**
 * Throws naming the first value of `values` (`width` per example) that is NaN or ±Infinity.
 * Scans in blocks with running sums of `v·0` (0 for finite v, NaN otherwise), so the common
 * all-finite case is one multiply-add per value and only a bad block is searched value by value.
 */
function checkFinite(dataset: Dataset, field: string, values: ArrayLike<number>, width: number): void {
  const block = 1 << 14;
  for (let start = 0; start < values.length; start += block) {
    const end = Math.min(values.length, start + block);
    // Four independent sums let the additions overlap (about twice as fast as one).
    let p0 = 0;
    let p1 = 0;
    let p2 = 0;
    let p3 = 0;
    let i = start;
    for (; i + 3 < end; i += 4) {
      p0 += (values[i] as number) * 0;
      p1 += (values[i + 1] as number) * 0;
      p2 += (values[i + 2] as number) * 0;
      p3 += (values[i + 3] as number) * 0;
    }
    for (; i < end; i++) p0 += (values[i] as number) * 0;
    if (p0 + p1 + p2 + p3 === 0) continue;
    for (let i = start; i < end; i++) {
      const v = values[i] as number;
      if (Number.isFinite(v)) continue;
      const example = Math.floor(i / width);
      throw new InvalidArgumentError({
        argument: `dataset.${field}[${i}]`,
        value: v,
        message: `dataset '${dataset.name}': ${field}[${i}] (example ${example}, value ${i - example * width}) is ${v}`,
      });
    }
  }
}

/**
 * Checks a dataset's internal consistency (lengths, label range), that every feature and
 * target is finite and every label an integer class. Throws `ShapeMismatchError` or
 * `InvalidArgumentError` naming the field and the example. Backends call it once, at compile.
 */
export function validateDataset(dataset: Dataset): Dataset {
  const { size, features, labels, numClasses, targets, targetSize } = dataset;
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new InvalidArgumentError({
      argument: 'dataset.size',
      value: size,
      message: `dataset '${dataset.name}': size must be a positive integer, got ${size}`,
    });
  }
  // Labels are checked value by value below (an integer class each), whatever array holds them.
  const typed: [string, unknown, string][] = [
    ['features', features, 'Float32Array'],
    ['targets', targets, 'Float32Array'],
  ];
  for (const [field, value, kind] of typed) {
    const ok =
      value === undefined ? field !== 'features' : Object.prototype.toString.call(value) === `[object ${kind}]`;
    if (!ok) {
      throw new InvalidArgumentError({
        argument: `dataset.${field}`,
        value: field,
        message: `dataset '${dataset.name}': ${field} must be a ${kind}, got ${Object.prototype.toString.call(value).slice(8, -1)} (convert with ${kind}.from(...))`,
      });
    }
  }
  const width = featureSize(dataset);
  if (features.length !== size * width) {
    throw new ShapeMismatchError({
      what: `dataset '${dataset.name}' features`,
      expected: [size, ...dataset.featureShape],
      actual: [features.length],
    });
  }
  checkFinite(dataset, 'features', features, width);
  if (labels) {
    if (labels.length !== size) {
      throw new ShapeMismatchError({
        what: `dataset '${dataset.name}' labels`,
        expected: [size],
        actual: [labels.length],
      });
    }
    if (numClasses === undefined || !Number.isSafeInteger(numClasses) || numClasses < 1) {
      throw new InvalidArgumentError({
        argument: 'dataset.numClasses',
        value: numClasses,
        message: `dataset '${dataset.name}': numClasses must be a positive integer when labels are given, got ${numClasses}`,
      });
    }
    for (let i = 0; i < size; i++) {
      const y = labels[i] as number;
      if (!Number.isInteger(y) || y < 0 || y >= numClasses) {
        const problem = Number.isInteger(y) ? 'is outside' : 'is not an integer class in';
        throw new InvalidArgumentError({
          argument: `dataset.labels[${i}]`,
          value: y,
          message: `dataset '${dataset.name}': label ${y} of example ${i} ${problem} [0, ${numClasses})`,
        });
      }
    }
  }
  if (targets) {
    if (targetSize === undefined || targets.length !== size * targetSize) {
      throw new ShapeMismatchError({
        what: `dataset '${dataset.name}' targets`,
        expected: [size, targetSize ?? -1],
        actual: [targets.length],
      });
    }
    checkFinite(dataset, 'targets', targets, targetSize);
  }
  if (!labels && !targets) {
    throw new InvalidArgumentError({
      argument: 'dataset.labels',
      value: undefined,
      message: `dataset '${dataset.name}' has neither labels nor targets`,
    });
  }
  return dataset;
}
