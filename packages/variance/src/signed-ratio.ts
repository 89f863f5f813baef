/**
 * Division with fixed conventions for a zero denominator, shared by the statistics here and
 * the CABS rule (@abs/cabs README “One step” step 6): a positive numerator over 0 gives +∞,
 * a zero numerator gives 0 and a negative numerator gives −∞ — never NaN from 0/0.
 */

/**
 * @param numerator any number
 * @param denominator any number; 0 and −0 follow the conventions above
 * @example
 * signedRatio(3, 2); // 1.5
 * signedRatio(3, 0); // Infinity
 * signedRatio(0, 0); // 0
 * signedRatio(-1, 0); // -Infinity
 */
export function signedRatio(numerator: number, denominator: number): number {
  if (denominator !== 0) return numerator / denominator;
  if (numerator > 0) return Number.POSITIVE_INFINITY;
  if (numerator < 0) return Number.NEGATIVE_INFINITY;
  return numerator === 0 ? 0 : Number.NaN;
}
