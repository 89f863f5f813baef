/**
 * Per-element gradient variance, one tensor per parameter:
 * v = M − g∘g (population, the estimator of Balles, Romero & Hennig 2017, @abs/cabs README “Variance estimator” of
 * @abs/cabs README) or n/(n − 1)·(M − g∘g) (Bessel). Shapes follow the parameters.
 */
import type { TensorOps } from '@abs/core';
import { checkMoments, type GradientMoments, type VarianceCorrection, varianceFactor } from './moments';

export interface VarianceOptions {
  /** `'population'` (default) or `'bessel'`. */
  readonly correction?: VarianceCorrection;
}

/**
 * @param ops the backend's tensor operations
 * @param moments count n, mean gradient g and second moment M per parameter
 * @param options `correction` (default `'population'`)
 * @returns new tensors owned by the caller (dispose them)
 * @example
 * // per-example gradients 1, 0, 1, 2 of one scalar parameter: g = 1, M = 1.5
 * parameterVariance(ops, { count: 4, mean: [g], secondMoment: [m] }); // [tensor 0.5]
 * parameterVariance(ops, { count: 4, mean: [g], secondMoment: [m] }, { correction: 'bessel' }); // [tensor 0.6666667]
 * @see @abs/cabs README “Variance estimator”
 */
export function parameterVariance<T>(
  ops: TensorOps<T>,
  moments: GradientMoments<T>,
  options: VarianceOptions = {},
): T[] {
  checkMoments(moments, 'parameterVariance');
  const factor = varianceFactor(options.correction ?? 'population', moments.count);
  return moments.mean.map((g, p) => {
    const squared = ops.square(g);
    const population = ops.sub(moments.secondMoment[p] as T, squared);
    ops.dispose(squared);
    if (factor === 1) return population;
    const corrected = ops.scale(population, factor);
    ops.dispose(population);
    return corrected;
  });
}
