/**
 * Numeric comparison used by the conformance suite and the bench's equivalence suite: the
 * largest elementwise difference relative to the reference's largest magnitude (so near-zero
 * entries do not blow up), or to `floor` when that is larger. Different lengths or a NaN give
 * +Infinity.
 */
export function maxRelativeDifference(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  /** A lower bound of the scale, e.g. a share of a whole parameter list's largest magnitude. */
  floor = 1e-12,
): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i] as number));
    const d = Math.abs((actual[i] as number) - (expected[i] as number));
    diff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(diff, d);
  }
  return diff / Math.max(scale, floor);
}
