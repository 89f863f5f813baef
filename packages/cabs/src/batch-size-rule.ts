/**
 * The scalar part of one CABS step (README “One step” steps 5–7), pure and
 * backend-free: update the EMAs ξ̄ ← μ·ξ̄ + (1 − μ)·ξ and L̄ ← μ·L̄ + (1 − μ)·L, form
 * raw = c·α·ξ̄ / (L̄ + eps) (Balles, Romero & Hennig 2017: m = α·tr Σ / L), round half to
 * even, then clip to [bsMin, bsMaxEff] with bsMaxEff = min(bsMax, dataset size).
 */
import { NonFiniteError } from '@abs/core';
import { exponentialAverage, signedRatio } from '@abs/variance';
import { roundHalfEven } from './round-half-even';

export interface RawBatchSizeInput {
  /** α */
  readonly learningRate: number;
  /** c */
  readonly c: number;
  readonly eps: number;
  /** ξ̄, already updated with this step's ξ. */
  readonly xiAvg: number;
  /** L̄, already updated with this step's loss. */
  readonly lossAvg: number;
}

/**
 * raw = c·α·ξ̄ / (L̄ + eps); over a zero denominator a positive numerator gives +∞, zero
 * gives 0 and a negative one −∞ (README “One step” step 6).
 * @example
 * // C1's first smoothed step with α = 10: 10·0.05·1.984375 / (0.95 + 0.05·0.78125)
 * rawBatchSize({ learningRate: 10, c: 1, eps: 0, xiAvg: 0.09921875, lossAvg: 0.9890625 }); // 1.0031595576619274
 */
export function rawBatchSize(input: RawBatchSizeInput): number {
  return signedRatio(input.c * input.learningRate * input.xiAvg, input.lossAvg + input.eps);
}

export interface BatchSizeBounds {
  readonly bsMin: number;
  /** min(bsMax, training-set size). When it is below bsMin, it wins (a full-batch step). */
  readonly bsMaxEff: number;
  /** Step number, for the error message. */
  readonly step?: number;
}

/**
 * m_{t+1} = clip(roundHalfEven(raw), bsMin, bsMaxEff), rounding before clipping.
 * @throws NonFiniteError naming `rawBatchSize` when raw is NaN (undefined in the reference)
 * @example
 * nextBatchSize(16.5, { bsMin: 16, bsMaxEff: 2048 }); // 16
 * nextBatchSize(17.5, { bsMin: 16, bsMaxEff: 2048 }); // 18
 * nextBatchSize(3000, { bsMin: 16, bsMaxEff: 2048 }); // 2048
 * @see README “Test vectors” C5
 */
export function nextBatchSize(raw: number, bounds: BatchSizeBounds): number {
  if (Number.isNaN(raw)) throw new NonFiniteError({ quantity: 'rawBatchSize', value: raw, step: bounds.step });
  return Math.min(Math.max(roundHalfEven(raw), bounds.bsMin), bounds.bsMaxEff);
}

export interface CabsAverages {
  /** ξ̄ */
  readonly xiAvg: number;
  /** L̄ */
  readonly lossAvg: number;
}

export interface CabsRuleConfig extends BatchSizeBounds {
  readonly learningRate: number;
  readonly c: number;
  readonly eps: number;
  /** μ */
  readonly emaDecay: number;
}

export interface CabsDecision extends CabsAverages {
  readonly rawBatchSize: number;
  readonly nextBatchSize: number;
}

/**
 * One step of the rule from the previous averages and this step's ξ and L.
 * @param previous ξ̄ and L̄ before this step (initially 0 and 1)
 * @param observed this batch's ξ and L
 * @param config α, c, eps, μ, bsMin, bsMaxEff
 * @example
 * // C4's first step: ξ = 2000, L = 2, α = 0.1 → ξ̄ = 100, L̄ = 1.05, raw = 9.52 → 16
 * cabsRule({ xiAvg: 0, lossAvg: 1 }, { xi: 2000, loss: 2 },
 *   { learningRate: 0.1, c: 1, eps: 0, emaDecay: 0.95, bsMin: 16, bsMaxEff: 2048 }).nextBatchSize; // 16
 * @see README “One step”
 */
export function cabsRule(
  previous: CabsAverages,
  observed: { readonly xi: number; readonly loss: number },
  config: CabsRuleConfig,
): CabsDecision {
  // Both averages are updated before the rule is applied (README “One step” step 5).
  const lossAvg = exponentialAverage(previous.lossAvg, observed.loss, config.emaDecay);
  const xiAvg = exponentialAverage(previous.xiAvg, observed.xi, config.emaDecay);
  const raw = rawBatchSize({ learningRate: config.learningRate, c: config.c, eps: config.eps, xiAvg, lossAvg });
  return { xiAvg, lossAvg, rawBatchSize: raw, nextBatchSize: nextBatchSize(raw, config) };
}
