import { describe, expect, it } from 'vitest';
import { logitOfBatchSize } from './batch-size-map';
import { smoothL1, smoothL1Gradient } from './warmup';
import { WarmupNotConvergedError } from './warmup-not-converged-error';

const range = { sMin: 8, sMax: 512, fidelity: 'corrected' } as const;

describe('A5. warm-up loss', () => {
  const target = logitOfBatchSize(128, range); // −1.1631508

  it('SmoothL1_{β=1}: 0.6631508 at l_α = 0, 0.3105908 at l_α = −0.375', () => {
    // |0 − l*| = 1.1631508 ≥ 1 → 1.1631508 − 0.5; |−0.375 − l*| = 0.7881508 < 1 → ½·0.7881508².
    expect(target).toBeCloseTo(-1.1631508, 7);
    expect(smoothL1(0, target)).toBeCloseTo(0.6631508, 7);
    expect(smoothL1(-0.375, target)).toBeCloseTo(0.3105908, 7);
  });

  it('its gradient is clamp(l_α − l*, −1, 1)', () => {
    expect(smoothL1Gradient(0, target)).toBe(1);
    expect(smoothL1Gradient(-0.375, target)).toBeCloseTo(0.7881508, 7);
    expect(smoothL1Gradient(-3, target)).toBe(-1);
  });
});

describe('WarmupNotConvergedError', () => {
  it('names the target and the last B(l_α), and is recognised across copies', () => {
    const error = new WarmupNotConvergedError({ target: 128, lastBatchSize: 260, iterations: 10000, tolerance: 2 });
    expect(error.message).toBe(
      'arbiter: warm-up did not reach batch size 128 within 10000 iterations (last B(l_α) = 260, tolerance 2)',
    );
    expect(error.code).toBe('abs.arbiter.warmup-not-converged');
    expect(error.name).toBe('WarmupNotConvergedError');
    expect(WarmupNotConvergedError.isInstance(error)).toBe(true);
    expect(WarmupNotConvergedError.isInstance(new Error('x'))).toBe(false);
    expect(WarmupNotConvergedError.isInstance({ [Symbol.for('abs.error.WarmupNotConvergedError')]: true })).toBe(true);
    expect([error.target, error.lastBatchSize, error.iterations]).toEqual([128, 260, 10000]);
  });
});
