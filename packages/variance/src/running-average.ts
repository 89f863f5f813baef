/**
 * Exponential running averages of scalar statistics (ξ, the loss, B_simple, ...):
 * a_t = μ·a_{t−1} + (1 − μ)·x_t with a_0 = the initial value. CABS uses a_0 = 0 for ξ and
 * a_0 = 1 for the loss, without bias correction (Balles, Romero & Hennig 2017; reference code).
 * The optional bias correction removes the initial value's weight μ^t exactly:
 * â_t = (a_t − μ^t·a_0) / (1 − μ^t), which for a_0 = 0 is Adam's a_t/(1 − μ^t).
 * The state is plain JSON (hyper-parameters included), updated purely.
 */
import { checker } from '@abs/core';

/** The EMA start values of the CABS reference code (@abs/cabs README “One step”, “Defaults”). */
export const CABS_INITIAL_AVERAGES = { xi: 0, loss: 1 } as const;

export interface RunningAverageOptions {
  /** μ in [0, 1). */
  readonly decay: number;
  /** a_0 (default 0). */
  readonly initial?: number;
  /** Report (a_t − μ^t·a_0)/(1 − μ^t) instead of a_t (default false). */
  readonly biasCorrection?: boolean;
}

export interface RunningAverage {
  readonly decay: number;
  readonly initial: number;
  readonly biasCorrection: boolean;
  /** a_t, the uncorrected average. */
  readonly value: number;
  /** t, the number of observations so far. */
  readonly count: number;
}

/**
 * One EMA step, μ·previous + (1 − μ)·observation, in exactly this order of operations.
 * @example
 * exponentialAverage(1, 0.78125, 0.95); // 0.9890625
 */
export function exponentialAverage(previous: number, observation: number, decay: number): number {
  return decay * previous + (1 - decay) * observation;
}

/**
 * @param options decay μ, initial value, bias correction
 * @throws InvalidHyperParameterError naming the option
 * @example
 * const loss = runningAverage({ decay: 0.95, initial: CABS_INITIAL_AVERAGES.loss });
 * runningAverageEstimate(updateRunningAverage(loss, 2)); // 1.05
 */
export function runningAverage(options: RunningAverageOptions): RunningAverage {
  const c = checker('runningAverage');
  const decay = c.number('decay', options?.decay, { gte: 0, lt: 1 });
  const initial = c.number('initial', options.initial ?? 0);
  const biasCorrection = c.boolean('biasCorrection', options.biasCorrection ?? false);
  return { decay, initial, biasCorrection, value: initial, count: 0 };
}

/** Returns the average after one more observation; the input is left alone. */
export function updateRunningAverage(average: RunningAverage, observation: number): RunningAverage {
  return {
    ...average,
    value: exponentialAverage(average.value, observation, average.decay),
    count: average.count + 1,
  };
}

/**
 * The current estimate: a_t, or the bias-corrected â_t. Before any observation the
 * corrected estimate is undefined (0/0) and the initial value is returned.
 * @example
 * const xi = runningAverage({ decay: 0.5, biasCorrection: true });
 * runningAverageEstimate(updateRunningAverage(xi, 8)); // 8 (uncorrected: 4)
 */
export function runningAverageEstimate(average: RunningAverage): number {
  if (!average.biasCorrection) return average.value;
  if (average.count === 0) return average.initial;
  const weight = average.decay ** average.count;
  return (average.value - weight * average.initial) / (1 - weight);
}
