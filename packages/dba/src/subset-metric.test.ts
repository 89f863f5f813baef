import { describe, expect, it } from 'vitest';
import { D0_GRADIENTS, gramOf, printedDecimals, subsetMean, traceCovariance } from './__fixtures__/dba-vectors';
import { summarizeGram } from './gram-summary';
import { subsetMetric } from './subset-metric';

const all = (n: number) => Array.from({ length: n }, (_, i) => i);
const close = (actual: number, printed: string) =>
  expect(actual).toBeCloseTo(Number(printed), printedDecimals(printed));

describe('subsetMetric', () => {
  // README, TV-D0: metric closed forms on 6 samples × 2 dims.
  it('TV-D0: varmean = 0.40987685 and nsr = 0.75510806 over the full set; direct = Gram to 1e-12', () => {
    const summary = summarizeGram(gramOf(D0_GRADIENTS));
    const varmean = subsetMetric('varmean', summary);
    const nsr = subsetMetric('nsr', summary);
    close(varmean, '0.40987685');
    close(nsr, '0.75510806');
    // Direct: T from the gradients themselves, varmean = T/n, nsr = T/(n‖μ‖²).
    const n = D0_GRADIENTS.length;
    const t = traceCovariance(D0_GRADIENTS, all(n));
    const mu = subsetMean(D0_GRADIENTS, all(n));
    const muSquared = mu.reduce((s, v) => s + v * v, 0);
    expect(Math.abs(varmean - t / n)).toBeLessThan(1e-12);
    expect(Math.abs(nsr - t / (n * muSquared))).toBeLessThan(1e-12);
    expect(Math.abs(subsetMetric('var', summary) - t)).toBeLessThan(1e-12);
  });

  it('agrees with the direct definitions on every subset of the D0 data (to 1e-12)', () => {
    for (let mask = 1; mask < 1 << D0_GRADIENTS.length; mask++) {
      const subset = all(D0_GRADIENTS.length).filter((i) => mask & (1 << i));
      const summary = summarizeGram(gramOf(D0_GRADIENTS), subset);
      const n = subset.length;
      const t = traceCovariance(D0_GRADIENTS, subset);
      const muSquared = subsetMean(D0_GRADIENTS, subset).reduce((s, v) => s + v * v, 0);
      expect(Math.abs(subsetMetric('var', summary) - t)).toBeLessThan(1e-12);
      expect(Math.abs(subsetMetric('varmean', summary) - t / n)).toBeLessThan(1e-12);
      expect(Math.abs(subsetMetric('nsr', summary) - t / (n * muSquared))).toBeLessThan(1e-12);
    }
  });

  it('the docs example: 1-D gradients [1, 3] give var 1, varmean 0.5, nsr 0.125', () => {
    const summary = { size: 2, sumOfSquaredNorms: 10, squaredNormOfSum: 16 };
    expect(subsetMetric('var', summary)).toBe(1);
    expect(subsetMetric('varmean', summary)).toBe(0.5);
    expect(subsetMetric('nsr', summary)).toBe(0.125);
  });

  it('clamps rounding below zero (and spreads within rounding of zero) to 0', () => {
    // Q/n − P/n² = 1 − (1 + 2⁻⁵²) < 0 only through rounding.
    const summary = { size: 1, sumOfSquaredNorms: 1, squaredNormOfSum: 1 + Number.EPSILON };
    for (const metric of ['var', 'varmean', 'nsr'] as const) expect(subsetMetric(metric, summary)).toBe(0);
    // Six identical gradients (0.1, 0.7, 1.3): T is 0 exactly although Q/n and P/n² round apart.
    const summary6 = summarizeGram(gramOf(Array.from({ length: 6 }, () => [0.1, 0.7, 1.3])));
    for (const metric of ['var', 'varmean', 'nsr'] as const) expect(subsetMetric(metric, summary6)).toBe(0);
  });

  it('nsr conventions for P ≤ 0: 0 when every gradient is zero, +∞ otherwise', () => {
    expect(subsetMetric('nsr', summarizeGram(gramOf([[0], [0], [0]])))).toBe(0);
    // g = [1, −1]: Q = 2, P = ‖1 − 1‖² = 0 → +∞ (a noisy mean of zero signal).
    expect(subsetMetric('nsr', summarizeGram(gramOf([[1], [-1]])))).toBe(Number.POSITIVE_INFINITY);
    expect(subsetMetric('nsr', { size: 2, sumOfSquaredNorms: 2, squaredNormOfSum: -1e-17 })).toBe(
      Number.POSITIVE_INFINITY,
    );
    // The other metrics are finite there: var = 2/2 − 0 = 1, varmean = 1/2.
    expect(subsetMetric('var', summarizeGram(gramOf([[1], [-1]])))).toBe(1);
    expect(subsetMetric('varmean', summarizeGram(gramOf([[1], [-1]])))).toBe(0.5);
  });
});
