/**
 * Row gathering: the primitive behind `subset`, `splitByIndex` and the MNIST splits.
 * Copies the chosen examples' features, labels and targets into new arrays, so the result
 * never aliases its source.
 */
import { checker, type Dataset, featureSize, validateDataset } from '@abs/core';

export interface TakeOptions {
  /** Name of the result; defaults to `<dataset.name>/take`. */
  readonly name?: string;
}

/**
 * The examples at `indices`, in that order (repeats allowed).
 * @param dataset - source dataset
 * @param indices - integers in `[0, dataset.size)`, at least one
 * @param options - `name` of the result
 * @example
 * const picked = take(data, [4, 0, 4]);
 * picked.size; // 3 — examples 4, 0 and 4 again
 */
export function take(dataset: Dataset, indices: ArrayLike<number>, options: TakeOptions = {}): Dataset {
  const check = checker('take');
  check.check(indices.length >= 1, 'indices', indices, 'a non-empty list of example indices');
  const { size } = dataset;
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i] as number;
    if (!(Number.isInteger(index) && index >= 0 && index < size)) {
      check.integer(`indices[${i}]`, index, { gte: 0, lt: size, names: { lt: `the dataset size ${size}` } });
    }
  }
  return validateDataset(gather(dataset, indices, options.name ?? `${dataset.name}/take`));
}

/** Unchecked gather; `indices` must already be valid. */
export function gather(dataset: Dataset, indices: ArrayLike<number>, name: string): Dataset {
  const count = indices.length;
  const width = featureSize(dataset);
  const features = new Float32Array(count * width);
  const labels = dataset.labels ? new Int32Array(count) : undefined;
  const targetSize = dataset.targetSize ?? 0;
  const targets = dataset.targets ? new Float32Array(count * targetSize) : undefined;
  for (let row = 0; row < count; row++) {
    const from = indices[row] as number;
    features.set(dataset.features.subarray(from * width, (from + 1) * width), row * width);
    if (labels && dataset.labels) labels[row] = dataset.labels[from] as number;
    if (targets && dataset.targets) {
      targets.set(dataset.targets.subarray(from * targetSize, (from + 1) * targetSize), row * targetSize);
    }
  }
  return {
    name,
    size: count,
    featureShape: [...dataset.featureShape],
    features,
    ...(labels ? { labels, numClasses: dataset.numClasses as number } : {}),
    ...(targets ? { targets, targetSize } : {}),
  };
}
