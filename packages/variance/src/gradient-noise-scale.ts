/**
 * Scalar summaries of gradient noise against gradient signal, from ξ = tr Σ and |G|²:
 * - the simple gradient noise scale B_simple = tr Σ / |G|² (McCandlish, Kaplan, Amodei et
 *   al. 2018, "An Empirical Model of Large-Batch Training", eq. 2.8): the batch size at which
 *   the mean gradient's noise tr Σ/B equals its signal |G|²;
 * - the per-example signal-to-noise ratio |G|² / tr Σ = 1 / B_simple. A mean over m examples
 *   has m times this ratio.
 * Zero denominators follow `signedRatio` (0/0 = 0, x/0 = ±∞).
 */
import { signedRatio } from './signed-ratio';

export interface NoiseInput {
  /** tr Σ (population or Bessel, as the caller chose). */
  readonly trace: number;
  /** |G|² = ⟨g, g⟩ of the mean gradient over the same parameters. */
  readonly gradientNormSquared: number;
}

/**
 * @example
 * // spec vector P2: Bessel tr Σ = 0.916667, |G|² = 1² + 0.75² = 1.5625
 * gradientNoiseScale({ trace: 0.9166666666666666, gradientNormSquared: 1.5625 }); // 0.5866666666666667
 * @see @abs/cabs README “Test vectors” P2
 */
export function gradientNoiseScale(input: NoiseInput): number {
  return signedRatio(input.trace, input.gradientNormSquared);
}

/**
 * @example
 * signalToNoise({ trace: 0.5, gradientNormSquared: 2 }); // 4
 */
export function signalToNoise(input: NoiseInput): number {
  return signedRatio(input.gradientNormSquared, input.trace);
}
