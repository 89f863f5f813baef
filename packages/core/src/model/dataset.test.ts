import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors/invalid-argument-error';
import { type Dataset, validateDataset } from './dataset';

/** Three examples of two features, labels in [0, 3). */
const base = (): Dataset => ({
  name: 'toy',
  size: 3,
  featureShape: [2],
  features: Float32Array.of(0, 1, 2, 3, 4, 5),
  labels: Int32Array.of(0, 2, 1),
  numClasses: 3,
});

/** The error `validateDataset` throws for `dataset`. */
function failure(dataset: Dataset): InvalidArgumentError {
  try {
    validateDataset(dataset);
  } catch (error) {
    if (InvalidArgumentError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('validateDataset accepted the dataset');
}

describe('validateDataset', () => {
  it('accepts a consistent dataset and returns it', () => {
    const dataset = base();
    expect(validateDataset(dataset)).toBe(dataset);
  });

  it('names a plain array where a typed array belongs', () => {
    const plain = { ...base(), features: [0, 1, 2, 3, 4, 5] as unknown as Float32Array };
    expect(failure(plain).message).toBe(
      "dataset 'toy': features must be a Float32Array, got Array (convert with Float32Array.from(...))",
    );
    const targets = { ...base(), targets: [0, 1, 2] as unknown as Float32Array, targetSize: 1 };
    expect(failure(targets).argument).toBe('dataset.targets');
  });

  it.each([
    [Number.NaN, 3, 'features[3] (example 1, value 1) is NaN'],
    [Number.POSITIVE_INFINITY, 0, 'features[0] (example 0, value 0) is Infinity'],
    [Number.NEGATIVE_INFINITY, 5, 'features[5] (example 2, value 1) is -Infinity'],
  ])('rejects a feature %s, naming the example and the value', (bad, at, message) => {
    const features = Float32Array.of(0, 1, 2, 3, 4, 5);
    features[at] = bad;
    const error = failure({ ...base(), features });
    expect(error.argument).toBe(`dataset.features[${at}]`);
    expect(error.message).toBe(`dataset 'toy': ${message}`);
  });

  it('finds a bad feature beyond the first block of the scan', () => {
    const features = new Float32Array(3 * 40_000);
    features[100_003] = Number.NaN;
    const error = failure({ ...base(), featureShape: [40_000], features });
    expect(error.message).toBe("dataset 'toy': features[100003] (example 2, value 20003) is NaN");
  });

  it.each([
    [2.5, "dataset 'toy': label 2.5 of example 1 is not an integer class in [0, 3)"],
    [Number.NaN, "dataset 'toy': label NaN of example 1 is not an integer class in [0, 3)"],
    [3, "dataset 'toy': label 3 of example 1 is outside [0, 3)"],
  ])('rejects a label %s (labels given as floats)', (bad, message) => {
    const labels = Float32Array.of(0, bad, 1) as unknown as Int32Array;
    const error = failure({ ...base(), labels });
    expect([error.argument, error.message]).toEqual(['dataset.labels[1]', message]);
  });

  it('rejects a non-finite regression target, naming the example', () => {
    const { labels: _, ...unlabelled } = base();
    const dataset: Dataset = { ...unlabelled, targets: Float32Array.of(0, 1, Number.NaN), targetSize: 1 };
    expect(failure(dataset).message).toBe("dataset 'toy': targets[2] (example 2, value 0) is NaN");
  });
});
