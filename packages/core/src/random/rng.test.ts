import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed } from './rng';

describe('createRng (xoshiro128** seeded by SplitMix32)', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 8 }, () => a.nextUint32());
    expect(Array.from({ length: 8 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 8 }, () => c.nextUint32())).not.toEqual(xs);
    xs.forEach((x) => expect(Number.isInteger(x) && x >= 0 && x < 2 ** 32).toBe(true));
  });

  it('matches the reference xoshiro128** recurrence for a known state', () => {
    // State (1, 2, 3, 4): first output = rotl(2·5, 7)·9 = (10 << 7)·9 = 11520.
    const rng = createRng({ state: [1, 2, 3, 4] });
    expect(rng.nextUint32()).toBe(11520);
    // Next state by hand: t = 2<<9 = 1024; s2 = 3^1 = 2; s3 = 4^2 = 6; s1 = 2^2 = 0; s0 = 1^6 = 7;
    // s2 ^= t → 1026; s3 = rotl(6, 11) = 12288.
    expect(rng.state()).toEqual([7, 0, 1026, 12288]);
  });

  it('resumes exactly from a saved state', () => {
    const rng = createRng(7);
    for (let i = 0; i < 10; i++) rng.nextFloat();
    const resumed = createRng({ state: rng.state() });
    expect(Array.from({ length: 5 }, () => resumed.nextNormal())).toEqual(
      Array.from({ length: 5 }, () => rng.nextNormal()),
    );
  });

  it('draws uniform floats in [0, 1) and normals with mean 0 and variance 1', () => {
    const rng = createRng(1);
    const n = 20000;
    let sum = 0;
    let sumSq = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.nextFloat();
      min = Math.min(min, u);
      max = Math.max(max, u);
      const z = rng.nextNormal();
      sum += z;
      sumSq += z * z;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    // Standard errors: mean 1/√n ≈ 0.007, variance √(2/n) ≈ 0.01; allow 4σ.
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(Math.abs(sumSq / n - 1)).toBeLessThan(0.04);
  });

  it('nextInt is unbiased over a range that does not divide 2^32, and rejects bad n', () => {
    const rng = createRng(3);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30000; i++) {
      const k = rng.nextInt(3);
      counts[k] = (counts[k] as number) + 1;
    }
    counts.forEach((c) => expect(Math.abs(c - 10000)).toBeLessThan(400));
    expect(() => rng.nextInt(0)).toThrow(/n must be an integer/);
    expect(() => rng.nextInt(1.5)).toThrow(/n must be an integer/);
  });

  it('shuffle produces a permutation', () => {
    const a = createRng(5).shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...a]).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});

describe('deriveSeed', () => {
  it('is stable and separates streams', () => {
    expect(deriveSeed(1, 'epoch', 0)).toBe(deriveSeed(1, 'epoch', 0));
    const seeds = new Set([
      deriveSeed(1, 'epoch', 0),
      deriveSeed(1, 'epoch', 1),
      deriveSeed(2, 'epoch', 0),
      deriveSeed(1, 'init', 0),
    ]);
    expect(seeds.size).toBe(4);
    // Separators keep ('ab', 'c') apart from ('a', 'bc').
    expect(deriveSeed(0, 'ab', 'c')).not.toBe(deriveSeed(0, 'a', 'bc'));
  });
});
