/**
 * DBA's selection metrics (README “Metrics”) as closed forms of the Gram summary
 * (n, Q, P) of a subset S; lower is better. With μ_S the subset mean and
 * T(S) = (1/n) Σ_{i∈S} ‖g_i − μ_S‖² = Q/n − P/n² (population trace-covariance):
 *   var     = T(S)                = Q/n − P/n²
 *   varmean = T(S)/n              = Q/n² − P/n³   (variance of the mean estimator; default)
 *   nsr     = T(S)/(n‖μ_S‖²)      = Q/P − 1/n     (noise-to-signal ratio of the mean)
 */
import type { GramSummary } from './gram-summary';

/** The metrics expressible through the Gram matrix. The spec's `rob` is not (see `dba`). */
export type DbaMetric = 'varmean' | 'nsr' | 'var';

export const DBA_METRICS: readonly DbaMetric[] = ['varmean', 'nsr', 'var'];

/**
 * T(S) is Q/n minus P/n², two sums of up to n² Gram entries: summation leaves an error of
 * order n²·ε·Q/n, so a spread below CANCELLATION·n²·Q/n is rounding noise and counts as 0
 * (identical gradients then give exactly 0 and nothing is removed, README “API” and TV-D4).
 */
const CANCELLATION = 8 * Number.EPSILON;

/**
 * The metric of a subset from its Gram summary. Conventions (README “Metrics”): values below 0,
 * which only rounding produces, are 0 (and so is a spread within rounding of 0, see
 * `CANCELLATION`); for `nsr` with P ≤ 0 the metric is 0 when Q = 0 (every gradient is zero)
 * and +∞ otherwise.
 * @param metric `'varmean'`, `'nsr'` or `'var'`
 * @param summary (n, Q, P) of the subset, n ≥ 1
 * @example
 * // 1-D gradients [1, 3]: n = 2, Q = 10, P = 16 → var = 5 − 4 = 1, varmean = 0.5, nsr = 10/16 − 1/2 = 0.125
 * subsetMetric('varmean', { size: 2, sumOfSquaredNorms: 10, squaredNormOfSum: 16 }); // 0.5
 * @see README “Metrics”
 */
export function subsetMetric(metric: DbaMetric, summary: GramSummary): number {
  const { size: n, sumOfSquaredNorms: q, squaredNormOfSum: p } = summary;
  if (metric === 'nsr' && p <= 0) return q === 0 ? 0 : Number.POSITIVE_INFINITY;
  const meanSquaredNorm = q / n;
  const spread = meanSquaredNorm - p / (n * n);
  if (!(spread > CANCELLATION * n * n * meanSquaredNorm)) return 0;
  switch (metric) {
    case 'var':
      return spread;
    case 'varmean':
      return meanSquaredNorm / n - p / (n * n * n);
    case 'nsr':
      return q / p - 1 / n;
  }
}
