/**
 * The epoch-end decision of README “Epoch-end decision”: the favoured candidate
 * j* = argmax_j α_j (ties → smallest index) sets the next epoch's batch size
 * B_{e+1} = B(l_{j*}) from the sorted logits of the epoch's last iteration — the argmax
 * candidate, not the mixture B(l_α). α is then re-drawn as scale·N(0, I_K).
 */
import { createRng } from '@abs/core';
import { type BatchSizeRange, batchSizeOf } from './batch-size-map';
import { argmaxFirst } from './mixture';

export interface EpochDecision {
  /** j*, 0-based. */
  readonly chosenIndex: number;
  /** B(l_{j*}). */
  readonly nextBatchSize: number;
}

/**
 * @example
 * decideBatchSize([0.1, 0.5, -0.2, 0], [-2, -1, 0.5, 1], { sMin: 8, sMax: 512, fidelity: 'corrected' });
 * // { chosenIndex: 1, nextBatchSize: 143 } (A4)
 * @see README “Epoch-end decision”
 */
export function decideBatchSize(
  alpha: ArrayLike<number>,
  logits: ArrayLike<number>,
  range: BatchSizeRange,
): EpochDecision {
  const chosenIndex = argmaxFirst(alpha);
  return { chosenIndex, nextBatchSize: batchSizeOf(logits[chosenIndex] as number, range) };
}

/**
 * α ← scale·N(0, I_K), seeded.
 * @example
 * drawAlpha(4, 1e-6, 7); // four values of order 1e-6
 */
export function drawAlpha(size: number, scale: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: size }, () => scale * rng.nextNormal());
}
