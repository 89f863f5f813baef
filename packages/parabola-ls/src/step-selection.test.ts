/**
 * LABPAL's step selection (README “Step selection”): rejections with their reasons,
 * the clip before α, the ε floors, and vector L5 (separate averaging of s and λ after U).
 */
import { describe, expect, it } from 'vitest';
import { averageStep, nanmean, proposeStep, type StepHistory } from './step-selection';

const selection = { maxStepSize: 1, updateStepAdaptation: 1.8, epsilon: 1e-6 };

describe('proposeStep', () => {
  const options = { ...selection, directionNorm: 2 };
  it.each([
    [{ a: -0.5, b: -1 }, 'parabola not convex (a = -0.5)'],
    [{ a: 0, b: -1 }, 'parabola not convex (a = 0)'],
    [{ a: 1, b: 0 }, 'parabola slope not negative (b = 0)'],
    [{ a: Number.NaN, b: -1 }, 'non-finite fit (a = NaN, b = -1)'],
    [{ a: 1, b: Number.NEGATIVE_INFINITY }, 'non-finite fit (a = 1, b = -Infinity)'],
  ])('rejects %o: %s', (fit, reason) => {
    expect(proposeStep(fit, options)).toEqual({ accepted: false, sRaw: null, reason });
  });

  it('clips before α, floors s and λ at ε', () => {
    // s_raw = 5 → min(5, 1) = 1 → α·1 = 1.8; λ = 1.8/2.
    expect(proposeStep({ a: 0.1, b: -1 }, options)).toEqual({ accepted: true, sRaw: 5, s: 1.8, lambda: 0.9 });
    // s_raw = 1e-9 → α·1e-9 < ε → s = 1e-6; λ = max(1e-6/2, 1e-6) = 1e-6.
    expect(proposeStep({ a: 1, b: -2e-9 }, options)).toMatchObject({ s: 1e-6, lambda: 1e-6 });
    // ‖d‖ below ε divides by ε.
    expect(proposeStep({ a: 0.5, b: -0.3 }, { ...options, directionNorm: 1e-9 })).toMatchObject({
      lambda: 0.54 / 1e-6,
    });
  });
});

describe('L5. Averaging after U', () => {
  it('s = (0.5, 0.7, 0.6) with ‖d‖ = (2, 1, 3) gives s̄ = 0.6 and λ̄ = mean(0.25, 0.7, 0.2) = 0.383333', () => {
    let history: StepHistory = { steps: [], learningRates: [] };
    let result = { stepSize: 0, learningRate: 0 };
    for (const [s, norm] of [
      [0.5, 2],
      [0.7, 1],
      [0.6, 3],
    ] as const) {
      const next = averageStep(history, { s, lambda: s / norm }, 25);
      ({ history } = next);
      result = next;
    }
    expect(result.stepSize).toBeCloseTo(0.6, 12);
    expect(result.learningRate).toBeCloseTo(0.383333, 6);
    // s̄/mean‖d‖ would be 0.6/2 = 0.3: the two are averaged separately.
    expect(result.stepSize / 2).toBeCloseTo(0.3, 12);
    expect(result.learningRate).not.toBeCloseTo(0.3, 3);
  });

  it('only the last W = 25 entries count, and NaN entries are ignored', () => {
    let history: StepHistory = { steps: [], learningRates: [] };
    for (let i = 1; i <= 30; i++) history = averageStep(history, { s: i, lambda: 2 * i }, 25).history;
    expect(history.steps).toHaveLength(25);
    // mean(6 … 30) = 18.
    expect(nanmean(history.steps)).toBe(18);
    expect(nanmean(history.learningRates)).toBe(36);
    const withNaN = averageStep({ steps: [Number.NaN, 1], learningRates: [3, Number.NaN] }, { s: 2, lambda: 5 }, 25);
    expect(withNaN).toMatchObject({ stepSize: 1.5, learningRate: 4 });
    expect(nanmean([Number.NaN, Number.NaN])).toBeNaN();
  });
});
