/**
 * Greedy backward elimination on one Gram matrix (README “Selection”). Start from all
 * N examples; while n > m_min, evaluate metric(S \ {j}) for every j in S with the O(1) updates
 *   n' = n − 1,  Q' = Q − K_jj,  P' = P − 2u_j + K_jj,   u_j = Σ_{i∈S} K_ij,
 * keep the first strict minimum (ties go to the smallest index) and remove it only if it
 * beats (1 − τ)·metric(S) (`argmin`: τ = 0). After a removal u_i ← u_i − K_ij, so one sweep
 * costs O(n) and the whole run O(N²).
 */
import { checker } from '@abs/core';
import { gramSize } from './gram-summary';
import { DBA_METRICS, type DbaMetric, subsetMetric } from './subset-metric';

export type DbaMode = 'threshold' | 'argmin';

export interface SelectionOptions {
  /** Default `'varmean'`. */
  readonly metric?: DbaMetric;
  /** Default `'threshold'`. */
  readonly mode?: DbaMode;
  /** τ in [0, 1): `threshold` removes only when the metric drops below (1 − τ)·current. Default 0.5. */
  readonly tau?: number;
  /** m_min ≥ 1: the subset never shrinks below it. Default max(2, ⌈N/4⌉). */
  readonly minSubset?: number;
}

/** One accepted (or the first rejected) removal: the example and the metric without it. */
export interface Removal {
  readonly index: number;
  readonly metric: number;
}

export interface Selection {
  /** Kept example indices, ascending. */
  readonly selected: number[];
  /** N, the candidate pool. */
  readonly size: number;
  /** Accepted removals in order, each with the metric after it. */
  readonly removed: Removal[];
  /** The best candidate of the sweep that stopped the search, if a sweep stopped it. */
  readonly rejected: Removal | undefined;
  readonly metricBefore: number;
  readonly metricAfter: number;
}

/** m_min = max(2, ⌈N/4⌉), the spec's default for a pool of N. */
export const defaultMinSubset = (size: number): number => Math.max(2, Math.ceil(size / 4));

/**
 * Selects the subset of a batch whose mean gradient DBA uses for one layer (or, on Σ_ℓ K_ℓ,
 * for the whole network).
 * @param gram row-major N×N Gram matrix of per-example gradients (float64)
 * @param options metric, mode, τ and m_min (see `SelectionOptions`)
 * @example
 * // TV-D1: 1-D per-example gradients, K = g gᵀ
 * const g = [-1, -1.32, -0.81, -1.12, 3];
 * const gram = Float64Array.from(g.flatMap((a) => g.map((b) => a * b)));
 * selectSubset(gram, { mode: 'argmin', minSubset: 2 }).selected; // [0, 3]
 * selectSubset(gram).selected; // [0, 1, 2, 3] (threshold, τ = 0.5: only the outlier goes)
 * @see README “Selection”
 */
export function selectSubset(gram: Float64Array, options: SelectionOptions = {}): Selection {
  const c = checker('selectSubset');
  const metric = c.oneOf('metric', options.metric ?? 'varmean', DBA_METRICS);
  const mode = c.oneOf('mode', options.mode ?? 'threshold', ['threshold', 'argmin']);
  const tau = c.number('tau', options.tau ?? 0.5, { gte: 0, lt: 1 });
  const n0 = gramSize(gram, 'selectSubset');
  const minSubset = c.integer('minSubset', options.minSubset ?? defaultMinSubset(n0), { gte: 1 });
  const factor = mode === 'argmin' ? 1 : 1 - tau;

  const inSubset = new Uint8Array(n0).fill(1);
  const rowSums = new Float64Array(n0); // u_i = Σ_{j∈S} K_ij
  let q = 0;
  let p = 0;
  for (let i = 0; i < n0; i++) {
    let u = 0;
    for (let j = 0; j < n0; j++) u += gram[i * n0 + j] as number;
    rowSums[i] = u;
    q += gram[i * n0 + i] as number;
    p += u;
  }
  let n = n0;
  const metricBefore = subsetMetric(metric, { size: n, sumOfSquaredNorms: q, squaredNormOfSum: p });
  let current = metricBefore;
  const removed: Removal[] = [];
  let rejected: Removal | undefined;
  while (n > minSubset) {
    let best = -1;
    let bestValue = Number.NaN;
    for (let j = 0; j < n0; j++) {
      if (inSubset[j] === 0) continue;
      const kjj = gram[j * n0 + j] as number;
      const value = subsetMetric(metric, {
        size: n - 1,
        sumOfSquaredNorms: q - kjj,
        squaredNormOfSum: p - 2 * (rowSums[j] as number) + kjj,
      });
      if (best < 0 || value < bestValue) {
        best = j;
        bestValue = value;
      }
    }
    if (!(bestValue < factor * current)) {
      rejected = { index: best, metric: bestValue };
      break;
    }
    const kjj = gram[best * n0 + best] as number;
    q -= kjj;
    p = p - 2 * (rowSums[best] as number) + kjj;
    inSubset[best] = 0;
    for (let i = 0; i < n0; i++) {
      if (inSubset[i] === 1) rowSums[i] = (rowSums[i] as number) - (gram[i * n0 + best] as number);
    }
    n -= 1;
    current = bestValue;
    removed.push({ index: best, metric: bestValue });
  }
  const selected: number[] = [];
  for (let i = 0; i < n0; i++) if (inSubset[i] === 1) selected.push(i);
  return { selected, size: n0, removed, rejected, metricBefore, metricAfter: current };
}
