import { type Dataset, InvalidHyperParameterError } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { splitByIndex } from './split-by-index';
import { take } from './take';

// Example i has features [i, 10·i], label i mod 3 and target −i.
const data: Dataset = {
  name: 'toy',
  size: 10,
  featureShape: [2],
  features: Float32Array.from({ length: 20 }, (_, k) => (k % 2 === 0 ? k / 2 : 10 * ((k - 1) / 2))),
  labels: Int32Array.from({ length: 10 }, (_, i) => i % 3),
  numClasses: 3,
  targets: Float32Array.from({ length: 10 }, (_, i) => -i),
  targetSize: 1,
};

const rows = (dataset: Dataset): number[] => Array.from(dataset.features.filter((_, k) => k % 2 === 0));

const errorOf = (run: () => unknown): Error => {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
};

describe('take', () => {
  it('gathers features, labels and targets in the given order, repeats allowed, as copies', () => {
    const picked = take(data, [4, 0, 4]);
    expect(picked.name).toBe('toy/take');
    expect(Array.from(picked.features)).toEqual([4, 40, 0, 0, 4, 40]);
    expect(Array.from(picked.labels ?? [])).toEqual([1, 0, 1]);
    expect(Array.from(picked.targets ?? [])).toEqual([-4, -0, -4]);
    expect([picked.size, picked.numClasses, picked.targetSize]).toEqual([3, 3, 1]);
    picked.features[0] = 99;
    expect(data.features[8]).toBe(4);
    expect(take(data, Int32Array.of(9), { name: 'last' }).name).toBe('last');
  });

  it.each([
    [[], 'take: indices must be a non-empty list of example indices, got []'],
    [[0, 10], 'take: indices[1] must be an integer in [0, the dataset size 10), got 10'],
    [[-1], 'take: indices[0] must be an integer in [0, the dataset size 10), got -1'],
    [[0.5], 'take: indices[0] must be an integer in [0, the dataset size 10), got 0.5'],
  ])('rejects %j', (indices, message) => {
    const error = errorOf(() => take(data, indices));
    expect(InvalidHyperParameterError.isInstance(error)).toBe(true);
    expect(error.message).toBe(message);
  });
});

describe('splitByIndex', () => {
  it('keeps the first ⌊fraction·size⌋ examples and the rest, in order', () => {
    const { first, rest } = splitByIndex(data, 0.8);
    // ⌊0.8·10⌋ = 8
    expect([first.name, rest.name]).toEqual(['toy[:8]', 'toy[8:]']);
    expect(rows(first)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(rows(rest)).toEqual([8, 9]);
    expect(Array.from(rest.targets ?? [])).toEqual([-8, -9]);
  });

  it("gives Arbiter's 40,000 / 10,000 for 50,000 examples and integer products stay exact", () => {
    const big: Dataset = { ...data, size: 50_000, features: new Float32Array(100_000), labels: new Int32Array(50_000) };
    const { first, rest } = splitByIndex({ ...big, targets: new Float32Array(50_000) }, 0.8);
    expect([first.size, rest.size]).toEqual([40_000, 10_000]);
    // 0.29·100 = 28.999999999999996 in binary floating point; the split still cuts at 29.
    const hundred: Dataset = { ...big, size: 100, features: new Float32Array(200), labels: new Int32Array(100) };
    expect(splitByIndex({ ...hundred, targets: new Float32Array(100) }, 0.29).first.size).toBe(29);
  });

  it.each([
    [0, 'splitByIndex: fraction must be a finite number in (0, 1), got 0'],
    [1, 'splitByIndex: fraction must be a finite number in (0, 1), got 1'],
    [
      0.05,
      'splitByIndex: fraction must be such that both parts of 10 examples are non-empty (⌊fraction·size⌋ = 0), got 0.05',
    ],
    [
      // 12 significant digits round 9.999999999999 up to 10: nothing would be left.
      0.9999999999999,
      'splitByIndex: fraction must be such that both parts of 10 examples are non-empty (⌊fraction·size⌋ = 10), got 0.9999999999999',
    ],
  ])('rejects fraction %s', (fraction, message) => {
    const error = errorOf(() => splitByIndex(data, fraction));
    expect(InvalidHyperParameterError.isInstance(error)).toBe(true);
    expect(error.message).toBe(message);
  });
});
