/**
 * LABPAL's step selection and averaging (README, "Algorithm"). A convex fit with negative
 * slope gives s = max(α·min(−b/(2a), s_max), ε) (clip before α) and λ = max(s / max(‖d‖, ε), ε).
 * After U updates both are averaged, separately, by the nanmean of their last W values, so
 * λ̄ ≠ s̄/mean‖d‖ in general. In `reference` mode the cap s_max itself grows by α whenever the
 * clip fires, as in the authors' code (`growMaxStepSize`).
 */
import type { Fidelity } from './resolve-labpal-config';

/**
 * Mean of the non-NaN entries; NaN when there are none. Sums in float64.
 * @example
 * nanmean([1, Number.NaN, 2]); // 1.5
 */
export function nanmean(values: readonly number[]): number {
  let sum = 0;
  let count = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    sum += v;
    count += 1;
  }
  return count === 0 ? Number.NaN : sum / count;
}

/** Compact number for messages: six significant digits, `-0.5` rather than `-0.49999999`. */
export const formatNumber = (x: number): string => String(Number(x.toPrecision(6)));

export type StepProposal =
  | { readonly accepted: true; readonly sRaw: number; readonly s: number; readonly lambda: number }
  | { readonly accepted: false; readonly sRaw: number | null; readonly reason: string };

/**
 * @param fit the parabola's a and b
 * @param options s_max, α, ε and ‖d‖ of the measurement direction
 * @example
 * proposeStep({ a: 0.5, b: -0.3 }, { maxStepSize: 1, updateStepAdaptation: 1.8, epsilon: 1e-6, directionNorm: 0.3 });
 * // { accepted: true, sRaw: 0.3, s: 0.54, lambda: 1.8 } (to rounding)
 */
export function proposeStep(
  fit: { readonly a: number; readonly b: number },
  options: { maxStepSize: number; updateStepAdaptation: number; epsilon: number; directionNorm: number },
): StepProposal {
  const { a, b } = fit;
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    return { accepted: false, sRaw: null, reason: `non-finite fit (a = ${formatNumber(a)}, b = ${formatNumber(b)})` };
  }
  if (a <= 0) return { accepted: false, sRaw: null, reason: `parabola not convex (a = ${formatNumber(a)})` };
  if (b >= 0) return { accepted: false, sRaw: null, reason: `parabola slope not negative (b = ${formatNumber(b)})` };
  const sRaw = -b / (2 * a);
  const s = Math.max(options.updateStepAdaptation * Math.min(sRaw, options.maxStepSize), options.epsilon);
  if (!Number.isFinite(s)) return { accepted: false, sRaw, reason: `step not finite (s = ${formatNumber(s)})` };
  const lambda = Math.max(s / Math.max(options.directionNorm, options.epsilon), options.epsilon);
  return { accepted: true, sRaw, s, lambda };
}

/**
 * The cap s_max for the next window. The authors' code clips with
 * `if step > max_step_size: step = max_step_size` and then multiplies `step *= α` in place; the
 * cap is a tensor, so after a clip `step` aliases it and the multiply grows the cap itself:
 * every clip multiplies s_max by α (1 → 1.8 → 3.24 → 5.832 with the defaults). `reference`
 * reproduces that; `exact` keeps the configured cap. The clip fires when the fitted minimum
 * exceeds the cap, whether or not the step is then accepted.
 * @param cap the s_max this window clipped with
 * @param sRaw −b/(2a) of a convex fit with negative slope, else null (no clip was tried)
 * @example
 * growMaxStepSize(1, 4, { fidelity: 'reference', updateStepAdaptation: 1.8 }); // 1.8
 * growMaxStepSize(1, 4, { fidelity: 'exact', updateStepAdaptation: 1.8 }); // 1
 */
export function growMaxStepSize(
  cap: number,
  sRaw: number | null,
  options: { readonly fidelity: Fidelity; readonly updateStepAdaptation: number },
): number {
  const clipped = sRaw !== null && sRaw > cap;
  return options.fidelity === 'reference' && clipped ? cap * options.updateStepAdaptation : cap;
}

export interface StepHistory {
  /** S, the last W trusted step sizes. */
  readonly steps: readonly number[];
  /** Λ, the last W trusted learning rates. */
  readonly learningRates: readonly number[];
}

/**
 * Appends a trusted measurement and returns the nanmeans of the last W entries.
 * @example
 * // L5: s = (0.5, 0.7, 0.6) with ‖d‖ = (2, 1, 3)
 * let h = { steps: [], learningRates: [] };
 * for (const [s, n] of [[0.5, 2], [0.7, 1], [0.6, 3]]) h = averageStep(h, { s, lambda: s / n }, 25).history;
 * // last call: stepSize 0.6, learningRate 0.383333
 */
export function averageStep(
  history: StepHistory,
  measured: { readonly s: number; readonly lambda: number },
  window: number,
): { history: StepHistory; stepSize: number; learningRate: number } {
  const steps = [...history.steps, measured.s].slice(-window);
  const learningRates = [...history.learningRates, measured.lambda].slice(-window);
  return { history: { steps, learningRates }, stepSize: nanmean(steps), learningRate: nanmean(learningRates) };
}
