/**
 * ξ = tr Σ, the total per-example gradient variance summed over every element of every
 * parameter tensor: ξ = Σ_p Σ_j (M_pj − g_pj²), times n/(n − 1) for Bessel. One fused
 * reduction Σ(M − g∘g) per tensor crosses into JavaScript; the per-tensor scalars are added
 * in float64. In float32 ξ can come out slightly negative through cancellation.
 */
import type { TensorOps } from '@abs/core';
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
 * @see shared/specs/cabs.md §4.4
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
