import { jsBackend } from '@abs/backend-js';
import {
  BatchTooSmallError,
  createHostTensorOps,
  createRng,
  EmptyBatchError,
  type HostTensor,
  type TensorOps,
} from '@abs/core';
import { createTrackingOps } from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { gradientStatistics } from './gradient-statistics';
import { parameterVariance } from './parameter-variance';
import { momentsOf } from './test-support/per-sample';
import { varianceTrace, varianceTraceFromNorms } from './variance-trace';

// @abs/cabs README “Test vectors”, cross-check vectors P1 and P2: per-sample gradients of a
// 2-parameter model, n = 4.
const G = [[[1, 0]], [[0, 1]], [[1, 1]], [[2, 1]]];
// Column means [1, 0.75]; mean squares M = [(1+0+1+4)/4, (0+1+1+1)/4] = [1.5, 0.75];
// population variances M − g² = [0.5, 0.1875], trace 0.6875; Bessel × 4/3 → 0.916667.

const backends: [string, () => TensorOps<HostTensor>][] = [
  ['host ops', () => createHostTensorOps()],
  ['jsBackend ops', () => jsBackend().ops],
];

describe.each(backends)('P1/P2 on %s', (_, makeOps) => {
  it('P1: unbiased tr Σ = 0.916667; with lr = 0.1 and loss = 0.5, B = 0.183333', async () => {
    const ops = makeOps();
    const moments = momentsOf(ops, G);
    const bessel = await varianceTrace(ops, moments, { correction: 'bessel' });
    expect(bessel.total).toBeCloseTo(0.916667, 6);
    expect(bessel.total).toBe(0.6875 * (4 / 3));
    const learningRate = 0.1;
    const loss = 0.5;
    expect((learningRate * bessel.total) / loss).toBeCloseTo(0.183333, 6);
    // Derived in the spec: the CABS default (population) estimator gives ξ = 0.6875, raw = 0.1375.
    const population = await varianceTrace(ops, moments);
    expect(population.total).toBe(0.6875);
    expect(population.perTensor).toEqual([0.6875]);
    expect((learningRate * population.total) / loss).toBeCloseTo(0.1375, 12);
  });

  it('P1 from per-example squared norms (1, 1, 2, 5): the same ξ = 0.6875 and Bessel 0.916667', async () => {
    const ops = makeOps();
    const { count, mean } = momentsOf(ops, G);
    const exampleNormSquared = [G.map(([g]) => (g as number[]).reduce((s, v) => s + v * v, 0))];
    expect(exampleNormSquared).toEqual([[1, 1, 2, 5]]);
    const population = await varianceTraceFromNorms(ops, { count, mean, exampleNormSquared });
    expect(population.total).toBe(0.6875);
    expect(population.perTensor).toEqual([0.6875]);
    const bessel = await varianceTraceFromNorms(ops, { count, mean, exampleNormSquared }, { correction: 'bessel' });
    expect(bessel.total).toBe(0.6875 * (4 / 3));
  });

  it('P2: McCandlish B_simple = tr Σ / |μ|² = 0.586667 (Bessel trace)', async () => {
    const ops = makeOps();
    const stats = await gradientStatistics(ops, momentsOf(ops, G), { correction: 'bessel' });
    // |μ|² = 1² + 0.75² = 1.5625; 0.916667 / 1.5625 = 0.586667
    expect(stats.gradientNormSquared).toBe(1.5625);
    expect(stats.noiseScale).toBeCloseTo(0.586667, 6);
    expect(stats.signalToNoise).toBeCloseTo(1 / 0.586667, 5);
  });
});

describe('population vs Bessel', () => {
  it('per element: v = M − g² and n/(n − 1)·(M − g²)', async () => {
    const ops = createHostTensorOps();
    const moments = momentsOf(ops, G);
    const [population] = parameterVariance(ops, moments);
    const [bessel] = parameterVariance(ops, moments, { correction: 'bessel' });
    expect(Array.from(population?.data ?? [])).toEqual([0.5, 0.1875]);
    expect(Array.from(bessel?.data ?? [])).toEqual([Math.fround(0.5 * (4 / 3)), Math.fround(0.1875 * (4 / 3))]);
  });

  it('the population trace is (n − 1)/n times the Bessel trace for any n ≥ 2', async () => {
    const ops = createHostTensorOps();
    // n = 3 draws of a 3-element gradient split over two tensors
    const samples = [
      [[0.5, -1], [2]],
      [[1.5, 0.25], [-1]],
      [[-2, 3], [0.5]],
    ];
    const moments = momentsOf(ops, samples);
    const population = await varianceTrace(ops, moments);
    const bessel = await varianceTrace(ops, moments, { correction: 'bessel' });
    expect(population.total).toBeCloseTo((bessel.total * 2) / 3, 10);
    // brute force, element by element: Σ_j (1/n) Σ_i (g_ij − ḡ_j)²
    let brute = 0;
    for (const [p, j] of [
      [0, 0],
      [0, 1],
      [1, 0],
    ] as const) {
      const column = samples.map((s) => s[p]?.[j] as number);
      const mean = column.reduce((a, b) => a + b, 0) / 3;
      brute += column.reduce((a, b) => a + (b - mean) ** 2, 0) / 3;
    }
    expect(population.total).toBeCloseTo(brute, 5);
    expect(population.perTensor).toHaveLength(2);
  });

  it('from norms equals the per-element trace on random gradients over several tensors', async () => {
    const ops = createHostTensorOps();
    const rng = createRng(7);
    const next = () => rng.nextFloat() * 4 - 2;
    const samples = Array.from({ length: 9 }, () => [Array.from({ length: 5 }, next), Array.from({ length: 3 }, next)]);
    const moments = momentsOf(ops, samples);
    const exampleNormSquared = [0, 1].map((p) => samples.map((s) => (s[p] as number[]).reduce((a, v) => a + v * v, 0)));
    for (const correction of ['population', 'bessel'] as const) {
      const direct = await varianceTrace(ops, moments, { correction });
      const fromNorms = await varianceTraceFromNorms(ops, { ...moments, exampleNormSquared }, { correction });
      expect(fromNorms.total).toBeCloseTo(direct.total, 5);
      fromNorms.perTensor.forEach((v, p) => expect(v).toBeCloseTo(direct.perTensor[p] as number, 5));
    }
    await expect(varianceTraceFromNorms(ops, { ...moments, exampleNormSquared: [[1]] })).rejects.toThrow(
      'varianceTraceFromNorms: exampleNormSquared (number of tensors): expected shape [2], got [1]',
    );
    await expect(
      varianceTraceFromNorms(ops, { ...moments, exampleNormSquared: [[1], exampleNormSquared[1] as number[]] }),
    ).rejects.toThrow('varianceTraceFromNorms: exampleNormSquared[0] (one per example): expected shape [9], got [1]');
    const hole: number[][] = [];
    hole[1] = exampleNormSquared[1] as number[];
    await expect(varianceTraceFromNorms(ops, { ...moments, exampleNormSquared: hole })).rejects.toThrow(
      'varianceTraceFromNorms: exampleNormSquared[0] (one per example): expected shape [9], got [0]',
    );
  });

  it('rejects n = 0 and, for Bessel, n = 1 with typed errors', async () => {
    const ops = createHostTensorOps();
    const one = momentsOf(ops, [[[1, 2]]]);
    expect((await varianceTrace(ops, one)).total).toBe(0);
    const error = await varianceTrace(ops, one, { correction: 'bessel' }).catch((e: unknown) => e);
    expect(BatchTooSmallError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      'variance: the Bessel-corrected variance needs ≥ 2 examples (got 1, need ≥ 2)',
    );
    const empty = await varianceTrace(ops, { ...one, count: 0 }).catch((e: unknown) => e);
    expect(EmptyBatchError.isInstance(empty)).toBe(true);
    expect(() => parameterVariance(ops, { ...one, count: 2.5 })).toThrow(
      'variance: count must be a non-negative integer, got 2.5',
    );
    expect(() => parameterVariance(ops, one, { correction: 'unbiased' as unknown as 'bessel' })).toThrow(
      "variance: correction must be one of 'population' | 'bessel', got \"unbiased\"",
    );
    await expect(varianceTrace(ops, { ...one, secondMoment: [] })).rejects.toThrow(
      'varianceTrace: secondMoment (number of tensors): expected shape [1], got [0]',
    );
  });

  it('disposes every temporary (one fused reduction per tensor)', async () => {
    const ops = createTrackingOps();
    const moments = momentsOf(ops, G);
    const before = ops.live();
    let sums = 0;
    const counting = {
      ...ops,
      sum: (x: HostTensor) => {
        sums += 1;
        return ops.sum(x);
      },
    };
    await varianceTrace(counting, moments, { correction: 'bessel' });
    await gradientStatistics(counting, moments);
    expect(sums).toBe(2);
    expect(ops.live()).toBe(before);
    const owned = parameterVariance(ops, moments, { correction: 'bessel' });
    expect(ops.live()).toBe(before + 1);
    for (const t of owned) ops.dispose(t);
    expect(ops.live()).toBe(before);
  });
});
