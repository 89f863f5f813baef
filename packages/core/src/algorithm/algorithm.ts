/**
 * The common shape of every training algorithm. An algorithm is created from a validated
 * config by a factory (`cabs({...})`, `fixedBatch({...})`); `init` builds its state for a
 * model; `step` samples a batch, asks the model for what it needs, updates the parameters
 * and returns the next state and a report. State is a plain tree (numbers, arrays, typed
 * arrays, backend tensors) that `encodeState`/`decodeState` round-trip through JSON.
 *
 * Contract for implementers:
 * - `step` consumes the state it is given: it may dispose the tensors it replaces, and the
 *   caller must use the returned state;
 * - if `step` throws, neither the passed state nor the model's parameters have changed.
 */
import type { Capability } from '../model/capability';
import type { Model } from '../model/model';
import type { Json } from './state-codec';

/** Opaque algorithm state; its shape belongs to the algorithm. */
export type AlgorithmState = object;

export interface StepReport {
  /** 1-based index of the step just taken. */
  readonly step: number;
  /** Mean loss of the batch used by this step (before the update). */
  readonly loss: number;
  /** Examples that entered this step's update. */
  readonly batchSize: number;
  readonly learningRate: number;
  /** Training examples drawn so far, this step included. */
  readonly examplesSeen: number;
}

export interface Algorithm<R extends StepReport = StepReport> {
  readonly name: string;
  /** The resolved configuration (defaults applied), JSON-serialisable. */
  readonly config: { readonly [key: string]: Json };
  /** Capabilities the model must have; `train` checks them before the first step. */
  readonly requires: readonly Capability[];
  init<T>(model: Model<T>, options: { readonly seed: number }): Promise<AlgorithmState>;
  step<T>(model: Model<T>, state: AlgorithmState): Promise<{ state: AlgorithmState; report: R }>;
  /**
   * Optional: throws `InvalidCheckpointError` naming the field (`resume.state.sampler.position`)
   * when a decoded state is not one this algorithm could have made for `model`, so a corrupted
   * checkpoint fails when it is resumed rather than at a later step. `train` calls it on resume.
   */
  checkState?<T>(model: Model<T>, state: AlgorithmState): void;
  /**
   * Optional: frees what the algorithm keeps for `model` outside its state (e.g. Arbiter's
   * agent network). `train` calls it when a run ends, fails or is aborted; calling it again,
   * or for a model it holds nothing for, does nothing.
   */
  release?<T>(model: Model<T>): void;
}
