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
 * Checks a dataset's internal consistency (lengths, label range, finite values).
 * Throws `ShapeMismatchError` or `InvalidArgumentError` naming the field.
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
  const width = featureSize(dataset);
  if (features.length !== size * width) {
    throw new ShapeMismatchError({
      what: `dataset '${dataset.name}' features`,
      expected: [size, ...dataset.featureShape],
      actual: [features.length],
    });
  }
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
      if (y < 0 || y >= numClasses) {
        throw new InvalidArgumentError({
          argument: `dataset.labels[${i}]`,
          value: y,
          message: `dataset '${dataset.name}': label ${y} of example ${i} is outside [0, ${numClasses})`,
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
