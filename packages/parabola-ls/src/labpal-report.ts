/**
 * What one LABPAL call reports (README “API”), on top of core's
 * `StepReport` (`step` = k + 1, `loss` of this call's batch, `batchSize` = B·T_b,
 * `learningRate`, `examplesSeen`).
 */
import type { StepReport } from '@abs/core';
import type { LabpalPhase, WindowTrigger } from './labpal-control';

/** The outcome of a measurement window, reported at the call that ends it. */
export interface LabpalMeasurement {
  /** `'direction'`: aborted at j = T_b (norm guard, non-finite or non-descent direction); `'fit'`: probed and fitted. */
  readonly stage: 'direction' | 'fit';
  /** True when this window's parabola gave a new step size. */
  readonly accepted: boolean;
  /** Why it was not accepted, e.g. `parabola not convex (a = -0.5)`; null when accepted. */
  readonly reason: string | null;
  readonly a: number | null;
  readonly b: number | null;
  /** −b/(2a) before the clip, α and ε. */
  readonly sRaw: number | null;
  /** s_max, the cap this window's clip used (it grows in `reference` mode). */
  readonly maxStepSize: number;
  /** True when −b/(2a) exceeded the cap, so the step was clipped (and, in `reference`, the cap grew by α). */
  readonly clipped: boolean;
  /** The measured step size and learning rate (before averaging). */
  readonly s: number | null;
  readonly lambda: number | null;
  /** max(‖d‖, ε) of the measurement direction (the raw ‖d‖ when aborted). */
  readonly directionNorm: number;
  /** [L̂(0), L̂(h), L̂(μ)], float64; null when aborted. */
  readonly losses: readonly [number, number, number] | null;
  /** The probe distances ĥ and μ̂ actually travelled along u (float32 parameters); null when aborted. */
  readonly probeDistances: readonly [number, number] | null;
}

export interface LabpalReport extends StepReport {
  /** k, the 0-based call index (`step` − 1). */
  readonly call: number;
  readonly phase: LabpalPhase;
  /** T_b, the accumulation multiplier (`batchSize` = B·T_b). */
  readonly accumulation: number;
  /** s̄, the averaged step size (null before the first successful measurement). */
  readonly stepSize: number | null;
  /** s_max in force after this call (constant in `exact` mode; grows after clips in `reference`). */
  readonly maxStepSize: number;
  /** Parameter updates so far (measurement moves included; −1 before the first). */
  readonly updates: number;
  /** Forward passes on a batch of B so far (gradient passes and probes included). */
  readonly forwardPasses: number;
  /** Set on the first call of a window: why it started. */
  readonly trigger?: WindowTrigger;
  /** Measurement calls: j (1-based) and the window's length n_a·T_b. */
  readonly window?: { readonly call: number; readonly length: number };
  /** Set on the call that ends a window. */
  readonly measurement?: LabpalMeasurement;
  /** True when the retry cap was reached with a known s̄: training resumed with the old s̄ and λ̄. */
  readonly measurementGaveUp?: boolean;
  /** Set on a training call that updated the parameters: the mean loss of its T_b batches. */
  readonly accumulatedLoss?: number;
}
