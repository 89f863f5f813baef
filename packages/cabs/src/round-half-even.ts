/**
 * Round half to even ("banker's rounding"), the rounding of the CABS reference code
 * (TensorFlow's `tf.round`). JavaScript's `Math.round` rounds half up (16.5 → 17), which
 * is wrong here: README “One step” step 7 requires 16.5 → 16 and 17.5 → 18.
 */

/**
 * @param value any number; ±Infinity and NaN are returned unchanged
 * @example
 * roundHalfEven(16.5); // 16
 * roundHalfEven(17.5); // 18
 * roundHalfEven(-2.5); // -2
 * roundHalfEven(25.4); // 25
 */
export function roundHalfEven(value: number): number {
  if (!Number.isFinite(value)) return value;
  const floor = Math.floor(value);
  // Exact: the fractional part of a double is representable.
  const fraction = value - floor;
  if (fraction < 0.5) return floor;
  if (fraction > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}
