/**
 * ξ = tr Σ, the total per-example gradient variance summed over every element of every
 * parameter tensor: ξ = Σ_p Σ_j (M_pj − g_pj²), times n/(n − 1) for Bessel. One fused
 * reduction Σ(M − g∘g) per tensor crosses into JavaScript; the per-tensor scalars are added
 * in float64. In float32 ξ can come out slightly negative through cancellation.
 */
import { ShapeMismatchError, type TensorOps } from '@abs/core';
import { checkMoments, type GradientMoments, varianceFactor } from './moments';
import type { VarianceOptions } from './parameter-variance';

export interface VarianceTrace {
  /** ξ = tr Σ over all tensors. */
  readonly total: number;
  /** tr Σ of each parameter tensor, in parameter order. */
  readonly perTensor: readonly number[];
}

/**
 * @param ops the backend's tensor operations
 * @param moments count n, mean gradient g and second moment M per parameter
 * @param options `correction` (default `'population'`)
 * @example
 * // per-sample gradients [[1, 0], [0, 1], [1, 1], [2, 1]] (spec vector P1):
 * // g = [1, 0.75], M = [1.5, 0.75]
 * (await varianceTrace(ops, moments)).total; // 0.6875
 * (await varianceTrace(ops, moments, { correction: 'bessel' })).total; // 0.9166666666666666
 * @see @abs/cabs README “Variance estimator”
 */
export async function varianceTrace<T>(
  ops: TensorOps<T>,
  moments: GradientMoments<T>,
  options: VarianceOptions = {},
): Promise<VarianceTrace> {
  checkMoments(moments, 'varianceTrace');
  const factor = varianceFactor(options.correction ?? 'population', moments.count);
  const differences = moments.mean.map((g, p) => {
    const squared = ops.square(g);
    const difference = ops.sub(moments.secondMoment[p] as T, squared);
    ops.dispose(squared);
    return difference;
  });
  let sums: number[];
  try {
    sums = await Promise.all(differences.map((d) => ops.sum(d)));
  } finally {
    for (const d of differences) ops.dispose(d);
  }
  const perTensor = sums.map((s) => s * factor);
  return { total: sums.reduce((a, b) => a + b, 0) * factor, perTensor };
}

/**
 * The inputs of `varianceTraceFromNorms`: what `Model.evaluate(batch, { gradient: true,
 * perExampleGradientNormSquared: true })` returns.
 */
export interface NormMoments<T> {
  /** n, the number of examples. */
  readonly count: number;
  /** g = (1/n) Σ_i g_i, one tensor per parameter. */
  readonly mean: readonly T[];
  /** Per parameter, ‖g_i‖² of each of the n examples. */
  readonly exampleNormSquared: readonly ArrayLike<number>[];
}

/**
 * ξ = tr Σ from per-example squared gradient norms instead of per-parameter second moments:
 * per tensor, Σ_j M_j = (1/n) Σ_i ‖g_i‖², so ξ_p = (1/n) Σ_i ‖g_i‖² − ‖g_p‖² (times n/(n − 1)
 * for Bessel). The same quantity as `varianceTrace`, equal in exact arithmetic; for a dense
 * layer the norms cost O(n·width) where M costs a product as large as the weight gradient.
 * Norms are summed in float64; one reduction ‖g_p‖² per tensor crosses into JavaScript.
 * @param ops the backend's tensor operations
 * @param moments count n, mean gradient g per parameter, and n squared norms per parameter
 * @param options `correction` (default `'population'`)
 * @throws ShapeMismatchError when the lists differ in length or a norm list is not n long
 * @example
 * // per-sample gradients [[1, 0], [0, 1], [1, 1], [2, 1]] (spec vector P1): norms 1, 1, 2, 5
 * (await varianceTraceFromNorms(ops, { count: 4, mean, exampleNormSquared: [[1, 1, 2, 5]] })).total; // 0.6875
 * @see @abs/cabs README “Variance estimator”
 */
export async function varianceTraceFromNorms<T>(
  ops: TensorOps<T>,
  moments: NormMoments<T>,
  options: VarianceOptions = {},
): Promise<VarianceTrace> {
  const { count: n, mean, exampleNormSquared: norms } = moments;
  const factor = varianceFactor(options.correction ?? 'population', n);
  if (norms.length !== mean.length) {
    throw new ShapeMismatchError({
      what: 'varianceTraceFromNorms: exampleNormSquared (number of tensors)',
      expected: [mean.length],
      actual: [norms.length],
    });
  }
  for (let p = 0; p < norms.length; p++) {
    const values = norms[p];
    if (values?.length !== n) {
      throw new ShapeMismatchError({
        what: `varianceTraceFromNorms: exampleNormSquared[${p}] (one per example)`,
        expected: [n],
        actual: [values?.length ?? 0],
      });
    }
  }
  const squares = await Promise.all(mean.map((g) => ops.dot(g, g)));
  const perTensor = squares.map((square, p) => {
    const values = norms[p] as ArrayLike<number>;
    let total = 0;
    for (let i = 0; i < n; i++) total += values[i] as number;
    return (total / n - square) * factor;
  });
  return { total: perTensor.reduce((a, b) => a + b, 0), perTensor };
}
