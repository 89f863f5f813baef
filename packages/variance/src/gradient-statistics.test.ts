import { createHostTensorOps } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { gradientNoiseScale, signalToNoise } from './gradient-noise-scale';
import { gradientStatistics } from './gradient-statistics';
import { signedRatio } from './signed-ratio';
import { momentsOf } from './test-support/per-sample';

describe('gradientStatistics', () => {
  // Two layers: tensors 0 and 1 in layer 0, tensor 2 in layer 1. Per-sample gradients, n = 2:
  // tensor 0: (1, 3) and (3, 1) → g = (2, 2), v = (1, 1)      → tr 2, |g|² 8
  // tensor 1: (0) and (2)       → g = (1),    v = (1)         → tr 1, |g|² 1
  // tensor 2: (4) and (4)       → g = (4),    v = (0)         → tr 0, |g|² 16
  const samples = [
    [[1, 3], [0], [4]],
    [[3, 1], [2], [4]],
  ];

  it('sums traces and squared norms per group and in total', async () => {
    const ops = createHostTensorOps();
    const s = await gradientStatistics(ops, momentsOf(ops, samples), { groups: [0, 0, 1] });
    expect(s.trace).toBe(3);
    expect(s.gradientNormSquared).toBe(25);
    expect(s.noiseScale).toBe(3 / 25);
    expect(s.signalToNoise).toBe(25 / 3);
    expect(s.count).toBe(2);
    expect(s.correction).toBe('population');
    expect(s.groups).toEqual([
      { trace: 3, gradientNormSquared: 9, noiseScale: 3 / 9, signalToNoise: 3 },
      // no noise at all: B_simple = 0/16 = 0, signal-to-noise 16/0 = +∞
      { trace: 0, gradientNormSquared: 16, noiseScale: 0, signalToNoise: Number.POSITIVE_INFINITY },
    ]);
    const perTensor = await gradientStatistics(ops, momentsOf(ops, samples));
    expect(perTensor.groups.map((g) => g.trace)).toEqual([2, 1, 0]);
  });

  it('rejects a group list that does not match the tensors', async () => {
    const ops = createHostTensorOps();
    await expect(gradientStatistics(ops, momentsOf(ops, samples), { groups: [0, 1] })).rejects.toThrow(
      'gradientStatistics: groups must hold one non-negative integer per tensor (3), got [0,1]',
    );
  });
});

describe('noise scale conventions', () => {
  it('divides with x/0 = ±∞ and 0/0 = 0', () => {
    expect(signedRatio(3, 2)).toBe(1.5);
    expect(signedRatio(3, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(signedRatio(-3, -0)).toBe(Number.NEGATIVE_INFINITY);
    expect(signedRatio(0, 0)).toBe(0);
    expect(signedRatio(Number.NaN, 0)).toBeNaN();
    expect(gradientNoiseScale({ trace: 2, gradientNormSquared: 0 })).toBe(Number.POSITIVE_INFINITY);
    expect(signalToNoise({ trace: 0.5, gradientNormSquared: 2 })).toBe(4);
  });
});
