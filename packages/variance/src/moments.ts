/**
 * The inputs of every statistic in this package: for a batch of n examples with
 * per-example gradients g_i (gradients of each example's own loss ℓ_i), one tensor per
 * parameter of the mean gradient g = (1/n) Σ_i g_i and of the mean squared gradient
 * M = (1/n) Σ_i g_i∘g_i — exactly what `Model.evaluate(batch, { gradient: true,
 * secondMoment: true })` returns.
 */
import { BatchTooSmallError, checker, EmptyBatchError, InvalidArgumentError, ShapeMismatchError } from '@abs/core';

export interface GradientMoments<T> {
  /** n, the number of examples the means are over. */
  readonly count: number;
  /** g = (1/n) Σ_i g_i, one tensor per parameter. */
  readonly mean: readonly T[];
  /** M = (1/n) Σ_i g_i∘g_i, same shapes as `mean`. */
  readonly secondMoment: readonly T[];
}

/**
 * Which variance estimator to use per element:
 * - `'population'` (default, what CABS and Cockpit use): v = M − g∘g;
 * - `'bessel'`: n/(n − 1) · (M − g∘g), unbiased for the per-example gradient variance.
 */
export type VarianceCorrection = 'population' | 'bessel';

/**
 * The factor that turns the population variance into the requested one: 1, or n/(n − 1).
 * @param correction `'population'` or `'bessel'`
 * @param count n: ≥ 1, and ≥ 2 for `'bessel'`
 * @throws InvalidHyperParameterError for an unknown correction; EmptyBatchError for n = 0;
 *   BatchTooSmallError for n = 1 with `'bessel'`; InvalidArgumentError for a non-integer n
 * @example
 * varianceFactor('bessel', 4); // 1.3333333333333333
 */
export function varianceFactor(correction: VarianceCorrection, count: number): number {
  checker('variance').oneOf('correction', correction, ['population', 'bessel']);
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new InvalidArgumentError({
      argument: 'count',
      value: count,
      message: `variance: count must be a non-negative integer, got ${count}`,
    });
  }
  if (count === 0) throw new EmptyBatchError({ where: 'variance' });
  if (correction === 'population') return 1;
  if (count < 2) {
    throw new BatchTooSmallError({
      where: 'variance',
      required: 2,
      actual: count,
      reason: 'the Bessel-corrected variance needs ≥ 2 examples',
    });
  }
  return count / (count - 1);
}

/** Throws `ShapeMismatchError` unless `mean` and `secondMoment` have one tensor each per parameter. */
export function checkMoments<T>(moments: GradientMoments<T>, where: string): void {
  if (moments.mean.length !== moments.secondMoment.length) {
    throw new ShapeMismatchError({
      what: `${where}: secondMoment (number of tensors)`,
      expected: [moments.mean.length],
      actual: [moments.secondMoment.length],
    });
  }
}
