import { describe, expect, it } from 'vitest';
import {
  CABS_INITIAL_AVERAGES,
  exponentialAverage,
  runningAverage,
  runningAverageEstimate,
  updateRunningAverage,
} from './running-average';

describe('running averages', () => {
  it('CABS start values without bias correction: ξ̄ = 0, L̄ = 1, then μ·a + (1 − μ)·x', () => {
    expect(CABS_INITIAL_AVERAGES).toEqual({ xi: 0, loss: 1 });
    let xi = runningAverage({ decay: 0.95, initial: CABS_INITIAL_AVERAGES.xi });
    let loss = runningAverage({ decay: 0.95, initial: CABS_INITIAL_AVERAGES.loss });
    // C4's first step (@abs/cabs README “Test vectors”): ξ = 2000, L = 2 →
    // ξ̄ = 0.05·2000 = 100, L̄ = 0.95 + 0.05·2 = 1.05
    xi = updateRunningAverage(xi, 2000);
    loss = updateRunningAverage(loss, 2);
    expect(runningAverageEstimate(xi)).toBeCloseTo(100, 12);
    expect(runningAverageEstimate(loss)).toBeCloseTo(1.05, 12);
    expect(xi.count).toBe(1);
    // Closed form after t steps with constant x: a_t = μ^t·a_0 + (1 − μ^t)·x
    for (let t = 2; t <= 30; t++) loss = updateRunningAverage(loss, 2);
    expect(loss.value).toBeCloseTo(0.95 ** 30 * 1 + (1 - 0.95 ** 30) * 2, 12);
    // C1's first loss average: 0.95·1 + 0.05·0.78125 = 0.9890625
    expect(exponentialAverage(1, 0.78125, 0.95)).toBeCloseTo(0.9890625, 15);
  });

  it('bias correction removes the initial value exactly: (a_t − μ^t·a_0)/(1 − μ^t)', () => {
    const zeroStart = runningAverage({ decay: 0.5, biasCorrection: true });
    expect(runningAverageEstimate(zeroStart)).toBe(0);
    const once = updateRunningAverage(zeroStart, 8);
    expect(once.value).toBe(4);
    expect(runningAverageEstimate(once)).toBe(8);
    // From L̄_0 = 1: observations 3 then 5 with μ = 0.5 → a_2 = 0.25 + 0.25·3 + 0.5·5 = 3.5;
    // corrected (3.5 − 0.25)/(0.75) = 13/3, the weighted mean (0.25·3 + 0.5·5)/0.75 of the data.
    let average = runningAverage({ decay: 0.5, initial: 1, biasCorrection: true });
    expect(runningAverageEstimate(average)).toBe(1);
    average = updateRunningAverage(updateRunningAverage(average, 3), 5);
    expect(average.value).toBe(3.5);
    expect(runningAverageEstimate(average)).toBeCloseTo(13 / 3, 14);
    // the input state is left alone and the state survives JSON
    expect(JSON.parse(JSON.stringify(average))).toEqual(average);
    expect(zeroStart.value).toBe(0);
  });

  it('validates its options with messages naming the option', () => {
    expect(() => runningAverage({ decay: 1 })).toThrow(
      'runningAverage: decay must be a finite number in [0, 1), got 1',
    );
    expect(() => runningAverage({ decay: -0.1 })).toThrow(
      'runningAverage: decay must be a finite number in [0, 1), got -0.1',
    );
    expect(() => runningAverage({ decay: 0.9, initial: Number.NaN })).toThrow(
      'runningAverage: initial must be a finite number, got NaN',
    );
    expect(() => runningAverage({ decay: 0.9, biasCorrection: 1 as unknown as boolean })).toThrow(
      'runningAverage: biasCorrection must be a boolean, got 1',
    );
  });
});
