import { InvalidHyperParameterError } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { gaussianBlobs } from './gaussian-blobs';

const classCounts = (labels: Int32Array, classes: number): number[] => {
  const counts = new Array<number>(classes).fill(0);
  for (const label of labels) counts[label] = (counts[label] as number) + 1;
  return counts;
};

describe('gaussianBlobs', () => {
  it('has the documented shapes and balanced, shuffled classes', () => {
    const data = gaussianBlobs({ size: 302, classes: 3, dimension: 4, spread: 0.5, seed: 1 });
    expect([data.name, data.size, data.featureShape, data.numClasses]).toEqual(['gaussian-blobs', 302, [4], 3]);
    expect([data.features.length, data.centers.length]).toEqual([302 * 4, 3 * 4]);
    // 302 = 3·100 + 2: classes 0 and 1 get one more.
    expect(classCounts(data.labels, 3)).toEqual([101, 101, 100]);
    expect(Array.from(data.labels.subarray(0, 6))).not.toEqual([0, 1, 2, 0, 1, 2]);
    const defaults = gaussianBlobs({ size: 6 });
    expect([defaults.numClasses, defaults.featureShape]).toEqual([3, [2]]);
  });

  it('is deterministic per seed and differs across seeds', () => {
    const a = gaussianBlobs({ size: 40, seed: 3 });
    expect(gaussianBlobs({ size: 40, seed: 3 })).toEqual(a);
    const b = gaussianBlobs({ size: 40, seed: 4 });
    expect(b.centers).not.toEqual(a.centers);
    expect(b.labels).not.toEqual(a.labels);
  });

  it('scatters each class around its centre with standard deviation spread', () => {
    const spread = 0.4;
    const data = gaussianBlobs({ size: 6000, classes: 2, dimension: 3, spread, seed: 5 });
    for (let k = 0; k < 2; k++) {
      let squares = 0;
      let count = 0;
      const sums = [0, 0, 0];
      for (let i = 0; i < data.size; i++) {
        if (data.labels[i] !== k) continue;
        count += 1;
        for (let j = 0; j < 3; j++) {
          const offset = (data.features[i * 3 + j] as number) - (data.centers[k * 3 + j] as number);
          sums[j] = (sums[j] as number) + offset;
          squares += offset * offset;
        }
      }
      // 3000 examples per class: the mean offset is ~N(0, spread²/3000), |·| < 4·0.4/√3000 ≈ 0.03;
      // the pooled std over 9000 draws is within spread·(1 ± 3/√18000) = spread·(1 ± 0.023).
      for (const sum of sums) expect(Math.abs(sum / count)).toBeLessThan(0.03);
      expect(Math.abs(Math.sqrt(squares / (3 * count)) / spread - 1)).toBeLessThan(0.023);
    }
  });

  it('keeps the centres and labels when only spread changes', () => {
    const tight = gaussianBlobs({ size: 30, spread: 0.1, seed: 9 });
    const loose = gaussianBlobs({ size: 30, spread: 1, seed: 9 });
    expect(loose.centers).toEqual(tight.centers);
    expect(loose.labels).toEqual(tight.labels);
    const exact = gaussianBlobs({ size: 30, spread: 0, seed: 9 });
    const label = exact.labels[0] as number;
    expect(Array.from(exact.features.subarray(0, 2))).toEqual(
      Array.from(exact.centers.subarray(label * 2, label * 2 + 2), Math.fround),
    );
  });

  it.each([
    [{ size: 2, classes: 3 }, 'gaussianBlobs: size must be an integer ≥ classes, got 2'],
    [{ size: 10, classes: 1 }, 'gaussianBlobs: classes must be an integer ≥ 2, got 1'],
    [{ size: 10, dimension: 0 }, 'gaussianBlobs: dimension must be an integer ≥ 1, got 0'],
    [{ size: 10, spread: Number.POSITIVE_INFINITY }, 'gaussianBlobs: spread must be a finite number ≥ 0, got Infinity'],
    [{ size: 10, seed: -3 }, 'gaussianBlobs: seed must be an integer in [0, 4294967295], got -3'],
  ])('rejects %j', (options, message) => {
    let error: unknown;
    try {
      gaussianBlobs(options);
    } catch (e) {
      error = e;
    }
    expect(InvalidHyperParameterError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(message);
  });
});
