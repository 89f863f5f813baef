/**
 * The batch-size map of README “Batch-size map”: a logit l becomes a batch size
 *   B(l) = ⌊(s_max − s_min)·σ(l) + s_min⌋,   σ(x) = 1/(1 + e^{−x}),
 * and its inverse logitB(B) = ln(p) − ln(1 − p), p = (B′ − s_min)/(s_max − s_min), with B′
 * nudged by 10⁻³ batch-size units off the ends. No gradient flows through B.
 */

/** `'corrected'` (default): ⌊x + 10⁻⁶⌋, so integers round-trip; `'reference'`: plain ⌊x⌋. */
export type Fidelity = 'corrected' | 'reference';

export interface BatchSizeRange {
  readonly sMin: number;
  readonly sMax: number;
  readonly fidelity: Fidelity;
}

/** Nudge of B = s_min / s_max before the inverse map, in batch-size units (README “Batch-size map”). */
const END_NUDGE = 1e-3;
/** Guard of the corrected floor against B(logitB(B)) landing a hair below B (README “Batch-size map”, A1). */
const FLOOR_GUARD = 1e-6;

/**
 * σ(x) = 1/(1 + e^{−x}).
 * @example
 * sigmoid(0); // 0.5
 */
export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * B(l): the batch size a logit stands for.
 * @param logit l (any real; ±∞ give s_min and s_max)
 * @param range s_min, s_max and the floor fidelity
 * @example
 * batchSizeOf(0, { sMin: 8, sMax: 512, fidelity: 'corrected' }); // 260
 * @see README “Batch-size map”
 */
export function batchSizeOf(logit: number, range: BatchSizeRange): number {
  const x = (range.sMax - range.sMin) * sigmoid(logit) + range.sMin;
  return Math.floor(range.fidelity === 'corrected' ? x + FLOOR_GUARD : x);
}

/**
 * logitB(B): the logit whose batch size is B, computed as ln(p) − ln(1 − p) (not
 * ln(p/(1 − p)), which rounds differently).
 * @param batchSize an integer in [s_min, s_max]
 * @param range s_min and s_max (the fidelity does not matter here)
 * @example
 * logitOfBatchSize(128, { sMin: 8, sMax: 512, fidelity: 'corrected' }); // -1.1631508098056809
 * @see README “Batch-size map”
 */
export function logitOfBatchSize(batchSize: number, range: BatchSizeRange): number {
  const nudged =
    batchSize === range.sMin ? batchSize + END_NUDGE : batchSize === range.sMax ? batchSize - END_NUDGE : batchSize;
  const p = (nudged - range.sMin) / (range.sMax - range.sMin);
  return Math.log(p) - Math.log(1 - p);
}
