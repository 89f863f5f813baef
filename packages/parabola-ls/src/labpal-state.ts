/**
 * LABPAL's state: the control counters, the sampler, the maximal step size (which grows in
 * `reference` mode), the averaged step size and learning rate with their histories, the training accumulator, the
 * measurement window (stored batches as index lists, their losses at θ0, ḡ, u) and the
 * momentum buffer. Plain data and backend tensors, so `encodeState`/`decodeState` round-trip
 * it through JSON and a resumed run continues bit-identically.
 */
import { InvalidArgumentError, type SamplerState } from '@abs/core';
import type { LabpalControl } from './labpal-control';
import type { StepHistory } from './step-selection';

export interface MeasurementWindow<T> {
  /** The window's batches so far, as example indices (re-evaluated at the probes). */
  readonly batches: readonly Int32Array[];
  /** Their mean losses at θ0, float64 (NaN kept: the nanmean skips it). */
  readonly losses: readonly number[];
  /** ḡ, the running mean of the gradients of calls j = 1 … T_b. */
  readonly gradient: T[] | null;
  /** u = −d/‖d‖, formed at j = T_b. */
  readonly direction: T[] | null;
  /** max(‖d‖, ε), formed at j = T_b (0 before). */
  readonly directionNorm: number;
}

export interface TrainingAccumulator<T> {
  /** Running mean of the c gradients accumulated so far (null when c = 0). */
  readonly gradient: T[] | null;
  /** Running mean of their losses, float64. */
  readonly loss: number;
}

export interface LabpalState<T> {
  readonly control: LabpalControl;
  readonly sampler: SamplerState;
  /**
   * s_max, the cap on the fitted minimum before α. `exact`: the configured `maxStepSize`;
   * `reference`: grows by α each time the clip fires (the authors' in-place multiply).
   * States saved before the cap was part of the state lack it; `readLabpalState` reads it as
   * the configured cap, which is what the version that saved them clipped with.
   */
  readonly maxStepSize: number;
  /** s̄, null until the first successful measurement. */
  readonly stepSize: number | null;
  /** λ̄, null until the first successful measurement. */
  readonly learningRate: number | null;
  readonly history: StepHistory;
  /** The learning rate of the last update, for the report (NSGD: s̄/‖d‖). */
  readonly lastLearningRate: number;
  readonly training: TrainingAccumulator<T>;
  readonly window: MeasurementWindow<T>;
  /** The heavy-ball buffer (null when β = 0). */
  readonly momentum: T[] | null;
  readonly forwardPasses: number;
}

/**
 * The state `step` received, checked where it can have changed shape across versions: a
 * missing cap is the configured one; a cap that is not a finite positive number is an error.
 * @throws InvalidArgumentError naming `state.maxStepSize` and the value
 */
export function readLabpalState<T>(raw: object, configuredMaxStepSize: number): LabpalState<T> {
  const state = raw as Omit<LabpalState<T>, 'maxStepSize'> & { readonly maxStepSize?: unknown };
  const cap = state.maxStepSize;
  if (cap === undefined) return { ...state, maxStepSize: configuredMaxStepSize };
  if (typeof cap !== 'number' || !Number.isFinite(cap) || cap <= 0) {
    throw new InvalidArgumentError({
      argument: 'state.maxStepSize',
      value: cap,
      message: `labpal: state.maxStepSize must be a finite number > 0, got ${String(cap)}; pass a state made by labpal().init or saved by labpal`,
    });
  }
  return state as LabpalState<T>;
}

export const emptyWindow = <T>(): MeasurementWindow<T> => ({
  batches: [],
  losses: [],
  gradient: null,
  direction: null,
  directionNorm: 0,
});

export const emptyAccumulator = <T>(): TrainingAccumulator<T> => ({ gradient: null, loss: 0 });
