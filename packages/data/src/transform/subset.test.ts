import { type Dataset, InvalidHyperParameterError } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { subset } from './subset';

// 60 examples (feature = own index): examples 0–18 are class 0, 19–36 class 1, 37–54 class 2, 55–59 class 3.
const labels = Int32Array.from({ length: 60 }, (_, i) => (i < 19 ? 0 : i < 37 ? 1 : i < 55 ? 2 : 3));
const data: Dataset = {
  name: 'toy',
  size: 60,
  featureShape: [1],
  features: Float32Array.from({ length: 60 }, (_, i) => i),
  labels,
  numClasses: 4,
};

const counts = (dataset: Dataset): number[] => {
  const result = new Array<number>(4).fill(0);
  for (const label of dataset.labels ?? []) result[label] = (result[label] as number) + 1;
  return result;
};

const errorOf = (run: () => unknown): Error => {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
};

describe('subset', () => {
  it('source class sizes', () => {
    expect(counts(data)).toEqual([19, 18, 18, 5]);
  });

  it('keeps perClass examples of every class, in their original order, labels with their features', () => {
    const small = subset(data, { perClass: 5 }, { seed: 1 });
    expect(small.name).toBe('toy/subset');
    expect(counts(small)).toEqual([5, 5, 5, 5]);
    const kept = Array.from(small.features);
    expect(kept).toEqual([...kept].sort((a, b) => a - b));
    kept.forEach((index, i) => expect(small.labels?.[i]).toBe(labels[index]));
  });

  it('keeps max(1, round(fraction·n_c)) of each class', () => {
    // round(0.5·[19, 18, 18, 5]) = [10, 9, 9, 3] (round half up: 9.5 → 10, 2.5 → 3)
    expect(counts(subset(data, { fraction: 0.5 }))).toEqual([10, 9, 9, 3]);
    // round(0.01·n_c) = 0 everywhere, raised to 1
    expect(counts(subset(data, { fraction: 0.01 }))).toEqual([1, 1, 1, 1]);
    expect(subset(data, { fraction: 1 }).size).toBe(60);
  });

  it('is deterministic per seed, nested in k for one seed, and different across seeds', () => {
    const a = Array.from(subset(data, { perClass: 3 }, { seed: 2 }).features);
    expect(Array.from(subset(data, { perClass: 3 }, { seed: 2 }).features)).toEqual(a);
    const larger = new Set(subset(data, { perClass: 4 }, { seed: 2 }).features);
    expect(a.every((index) => larger.has(index))).toBe(true);
    expect(Array.from(subset(data, { perClass: 3 }, { seed: 3 }).features)).not.toEqual(a);
    expect(Array.from(subset(data, { perClass: 3 }).features)).toEqual(
      Array.from(subset(data, { perClass: 3 }, { seed: 0 }).features),
    );
  });

  it('samples uniformly from an unlabelled dataset with fraction', () => {
    const { labels: _, numClasses: __, ...rest } = data;
    const unlabelled: Dataset = { ...rest, targets: new Float32Array(60), targetSize: 1 };
    // round(0.25·60) = 15
    expect(subset(unlabelled, { fraction: 0.25 }, { seed: 4 }).size).toBe(15);
  });

  it.each([
    [{ perClass: 6 }, {}, 'subset: perClass must be an integer in [1, the smallest class size 5], got 6'],
    [{ perClass: 0 }, {}, 'subset: perClass must be an integer in [1, the smallest class size 5], got 0'],
    [{ fraction: 0 }, {}, 'subset: fraction must be a finite number in (0, 1], got 0'],
    [{ fraction: 1.5 }, {}, 'subset: fraction must be a finite number in (0, 1], got 1.5'],
    [{}, {}, 'subset: selection must be exactly one of { perClass } or { fraction }, got {}'],
    [
      { perClass: 2, fraction: 0.5 },
      {},
      'subset: selection must be exactly one of { perClass } or { fraction }, got {"perClass":2,"fraction":0.5}',
    ],
    [{ perClass: 2 }, { seed: 1.5 }, 'subset: seed must be an integer in [0, 4294967295], got 1.5'],
  ])('rejects %j %j', (selection, options, message) => {
    const error = errorOf(() => subset(data, selection as never, options));
    expect(InvalidHyperParameterError.isInstance(error)).toBe(true);
    expect(error.message).toBe(message);
  });

  it('needs labels for perClass', () => {
    const { labels: _, numClasses: __, ...rest } = data;
    const unlabelled: Dataset = { ...rest, targets: new Float32Array(60), targetSize: 1 };
    expect(() => subset(unlabelled, { perClass: 2 })).toThrow(
      'subset: perClass must be used with a labelled dataset, got 2',
    );
  });
});
