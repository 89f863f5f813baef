import { NonFiniteError } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { cabsRule, nextBatchSize, rawBatchSize } from './batch-size-rule';
import { roundHalfEven } from './round-half-even';

const bounds = { bsMin: 16, bsMaxEff: 2048 };

describe('roundHalfEven', () => {
  it('rounds ties to the even neighbour, unlike Math.round', () => {
    expect(roundHalfEven(16.5)).toBe(16);
    expect(Math.round(16.5)).toBe(17); // the reason this function exists
    expect(roundHalfEven(17.5)).toBe(18);
    expect(roundHalfEven(0.5)).toBe(0);
    expect(roundHalfEven(-2.5)).toBe(-2);
    expect(roundHalfEven(-3.5)).toBe(-4);
    expect(roundHalfEven(25.4)).toBe(25);
    expect(roundHalfEven(25.6)).toBe(26);
    expect(roundHalfEven(2 ** 53)).toBe(2 ** 53);
    expect(roundHalfEven(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(roundHalfEven(Number.NaN)).toBeNaN();
  });
});

describe('C5: rounding and clipping (bsMin 16, bsMax 2048)', () => {
  // README “Test vectors”, C5
  it.each([
    [16.5, 16, 'half to even'],
    [17.5, 18, 'half to even'],
    [3000, 2048, 'upper clip'],
    [0, 16, 'lower clip'],
  ])('raw %f → %i (%s)', (raw, size) => {
    expect(nextBatchSize(raw, bounds)).toBe(size);
  });

  it('raw NaN → NonFiniteError naming rawBatchSize and the step', () => {
    let error: unknown;
    try {
      nextBatchSize(Number.NaN, { ...bounds, step: 7 });
    } catch (e) {
      error = e;
    }
    expect(NonFiniteError.isInstance(error)).toBe(true);
    expect((error as NonFiniteError).quantity).toBe('rawBatchSize');
    expect((error as NonFiniteError).step).toBe(7);
    expect((error as Error).message).toBe('rawBatchSize is NaN at step 7');
  });

  it('±Infinity clips to the bounds; a dataset smaller than bsMin caps the batch (full batch)', () => {
    expect(nextBatchSize(Number.POSITIVE_INFINITY, bounds)).toBe(2048);
    expect(nextBatchSize(Number.NEGATIVE_INFINITY, bounds)).toBe(16);
    expect(nextBatchSize(-3.2, bounds)).toBe(16);
    expect(nextBatchSize(40, { bsMin: 16, bsMaxEff: 10 })).toBe(10);
  });
});

describe('raw batch size', () => {
  it('follows README “One step” step 6 over a zero denominator: +∞, 0 or −∞ by the numerator', () => {
    const base = { learningRate: 0.1, c: 1, eps: 0, lossAvg: 0 };
    expect(rawBatchSize({ ...base, xiAvg: 5 })).toBe(Number.POSITIVE_INFINITY);
    expect(rawBatchSize({ ...base, xiAvg: 0 })).toBe(0);
    expect(rawBatchSize({ ...base, xiAvg: -1e-9 })).toBe(Number.NEGATIVE_INFINITY);
    expect(nextBatchSize(rawBatchSize({ ...base, xiAvg: 5 }), bounds)).toBe(2048);
    expect(nextBatchSize(rawBatchSize({ ...base, xiAvg: 0 }), bounds)).toBe(16);
    // eps is added to L̄; c multiplies: 2·0.5·3 / (0 + 0.5) = 6
    expect(rawBatchSize({ learningRate: 0.5, c: 2, eps: 0.5, xiAvg: 3, lossAvg: 0 })).toBe(6);
  });

  it('C1: unsmoothed α·ξ/L = 2.54·α (α = 10: 25.4 → 25); first smoothed step 0.1003160·α → 16', () => {
    // README “Test vectors”, C1: ξ = 1.984375, L = 0.78125 (derived in cabs.test.ts).
    const xi = 1.984375;
    const loss = 0.78125;
    expect(xi / loss).toBeCloseTo(2.54, 14); // 127/64 ÷ 25/32 = 127/50
    expect(roundHalfEven((10 * xi) / loss)).toBe(25);
    // The Bessel-corrected value would be 4/3 · ξ = 2.6458333 (m = 4).
    expect((xi * 4) / 3).toBeCloseTo(2.6458333, 7);
    // From ξ̄ = 0, L̄ = 1: ξ̄ = 0.05·ξ, L̄ = 0.95 + 0.05·L → raw = α·0.05·ξ / (0.95 + 0.05·L)
    for (const learningRate of [0.1, 10]) {
      const step = cabsRule(
        { xiAvg: 0, lossAvg: 1 },
        { xi, loss },
        { learningRate, c: 1, eps: 0, emaDecay: 0.95, ...bounds },
      );
      expect(step.rawBatchSize / learningRate).toBeCloseTo(0.100316, 6);
      expect(step.nextBatchSize).toBe(16);
    }
  });

  it('P1: lr·trΣ/L on the cross-check input clips to bsMin for both estimators', () => {
    // README “Test vectors”, P1: Bessel tr Σ = 0.916667 → 0.183333; population 0.6875 → 0.1375.
    const bessel = rawBatchSize({ learningRate: 0.1, c: 1, eps: 0, xiAvg: 0.6875 * (4 / 3), lossAvg: 0.5 });
    expect(bessel).toBeCloseTo(0.183333, 6);
    const population = rawBatchSize({ learningRate: 0.1, c: 1, eps: 0, xiAvg: 0.6875, lossAvg: 0.5 });
    expect(population).toBeCloseTo(0.1375, 12);
    expect(nextBatchSize(bessel, bounds)).toBe(16);
    expect(nextBatchSize(population, bounds)).toBe(16);
  });
});

describe('C4: EMA and rounding trajectory (constant ξ = 2000, L = 2, α = 0.1, μ = 0.95)', () => {
  // README “Test vectors”, C4. From (ξ̄, L̄) = (0, 1): ξ̄_t = 2000·(1 − μ^t) and
  // L̄_t = 2 − μ^t, so raw_t = 0.1·2000·(1 − μ^t)/(2 − μ^t) → 100 as t → ∞.
  const table: [number | 'limit', number, number][] = [
    [1, 9.52, 16],
    [2, 17.77, 18],
    [3, 24.96, 25],
    [5, 36.9, 37],
    [10, 57.27, 57],
    [15, 69.85, 70],
    [20, 78.16, 78],
    [30, 87.98, 88],
    [45, 94.77, 95],
    [60, 97.64, 98],
    ['limit', 100, 100],
  ];
  const config = { learningRate: 0.1, c: 1, eps: 0, emaDecay: 0.95, ...bounds };

  it('matches the table at every listed step (raw to ±0.005, batch size exactly)', () => {
    const trajectory: { raw: number; size: number }[] = [];
    let averages = { xiAvg: 0, lossAvg: 1 };
    for (let t = 1; t <= 600; t++) {
      const step = cabsRule(averages, { xi: 2000, loss: 2 }, config);
      averages = step;
      trajectory.push({ raw: step.rawBatchSize, size: step.nextBatchSize });
    }
    for (const [t, raw, size] of table) {
      const row = trajectory[t === 'limit' ? 599 : t - 1];
      expect(row?.raw, `raw at step ${t}`).toBeCloseTo(raw, 2);
      expect(row?.size, `batch size at step ${t}`).toBe(size);
      if (t !== 'limit') {
        const decay = 0.95 ** t;
        expect(row?.raw).toBeCloseTo((200 * (1 - decay)) / (2 - decay), 10);
      }
    }
  });
});
