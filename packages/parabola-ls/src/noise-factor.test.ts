/**
 * Vector L7 of README “Test vectors”: ν = (128/B)·(N/40000) and the multipliers
 * max(⌊m·ν⌋, 1) of the default schedule (1, 2, 4), with `reference` mode's loader-reported
 * N' = ⌊N/B⌋·B and `exact` mode's true N.
 */
import { describe, expect, it } from 'vitest';
import { noiseFactor, scaleSchedule } from './noise-factor';
import { DEFAULT_BATCH_SIZE_SCHEDULE } from './resolve-labpal-config';

const multipliers = (nu: number) => scaleSchedule(DEFAULT_BATCH_SIZE_SCHEDULE, nu).map(([, m]) => m);

describe('L7. Noise factor', () => {
  const rows = [
    // N, B, reported N', then ν and multipliers as in the spec's reference and exact tables
    { name: 'CIFAR-10', n: 40000, b: 128, reported: 39936, reference: [0.9984, [1, 1, 3]], exact: [1.0, [1, 2, 4]] },
    { name: 'CIFAR-100', n: 45000, b: 128, reported: 44928, reference: [1.1232, [1, 2, 4]], exact: [1.125, [1, 2, 4]] },
    { name: 'SVHN', n: 65000, b: 128, reported: 64896, reference: [1.6224, [1, 3, 6]], exact: [1.625, [1, 3, 6]] },
    {
      name: 'ImageNet',
      n: 1080000,
      b: 128,
      reported: 1079936,
      reference: [26.9984, [26, 53, 107]],
      exact: [27.0, [27, 54, 108]],
    },
    {
      name: 'CIFAR-10, B = 12',
      n: 40000,
      b: 12,
      reported: 39996,
      reference: [10.6656, [10, 21, 42]],
      exact: [10.6667, [10, 21, 42]],
    },
  ] as const;

  it.each(rows)('$name: N = $n, B = $b', (row) => {
    // Reported N' = ⌊N/B⌋·B, e.g. ⌊40000/128⌋·128 = 312·128 = 39936.
    expect(Math.floor(row.n / row.b) * row.b).toBe(row.reported);
    for (const fidelity of ['reference', 'exact'] as const) {
      const [nu, expected] = row[fidelity];
      // ν = (128/B)·(N'/40000), e.g. 39936/40000 = 0.9984; the tables round ν to 4 decimals.
      const computed = noiseFactor({ batchSize: row.b, trainingSetSize: row.n, fidelity });
      expect(computed).toBeCloseTo(nu, 4);
      expect(multipliers(computed)).toEqual(expected);
    }
  });

  it('keeps the steps, truncates the multipliers and never goes below 1', () => {
    expect(
      scaleSchedule(
        [
          [0, 1],
          [75000, 2],
          [112500, 4],
        ],
        0.9984,
      ),
    ).toEqual([
      [0, 1],
      [75000, 1],
      [112500, 3],
    ]);
    expect(scaleSchedule([[3, 5]], 0.01)).toEqual([[3, 1]]);
    // A training set smaller than one batch reports N' = 0 in reference mode: ν = 0, multipliers 1.
    expect(noiseFactor({ batchSize: 128, trainingSetSize: 100, fidelity: 'reference' })).toBe(0);
  });
});
