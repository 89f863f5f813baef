/**
 * Arbiter's state (README “API”): a plain tree of numbers, typed arrays and
 * backend tensors that `encodeState`/`decodeState` round-trip through JSON. The compiled
 * agent is not part of it: it is rebuilt from φ and the running averages when a resumed run
 * takes its first step.
 */
import type { OptimizerState, SamplerState } from '@abs/core';
import type { HostAdamState } from './host-adam';

export interface ArbiterState<T> {
  /** Steps taken (inner iterations). */
  readonly step: number;
  readonly seed: number;
  /** Training indices are [0, trainSize), validation [trainSize, trainSize + validationSize). */
  readonly trainSize: number;
  readonly validationSize: number;
  /** Layer whose input is injected (resolved against the model at init). */
  readonly injectionLayer: number;
  /** B_e, the current epoch's batch size. */
  readonly batchSize: number;
  /** Completed training epochs. */
  readonly epoch: number;
  /** Training sampler over [0, trainSize). */
  readonly sampler: SamplerState;
  /** Inner optimiser state (its `learningRate` is the adapted one under SGD-HD/Adam-HD). */
  readonly inner: OptimizerState<T>;
  /** Agent trunk parameters φ and their Adam state. */
  readonly phi: readonly T[];
  readonly phiAdam: OptimizerState<T>;
  /**
   * The conv agent's batch-norm running averages (the agent's `bufferInfo` order; `[]` for the
   * MLP agent). The agent always normalises with batch statistics, so they never change a
   * decision; they are kept so that a resumed agent is the uninterrupted one, buffers included.
   */
  readonly agentBuffers: readonly Float32Array[];
  /** Feature-mapping vector m ∈ ℝ^d and its Adam state. */
  readonly m: Float64Array;
  readonly mAdam: HostAdamState;
  /** Mixture logits α ∈ ℝ^K and their Adam state (fresh after each re-draw). */
  readonly alpha: Float64Array;
  readonly alphaAdam: HostAdamState;
  /** Number of α draws so far (seeds the next one). */
  readonly alphaDraws: number;
  /** Sorted candidate logits of the last iteration (empty before the first). */
  readonly lastLogits: Float64Array;
  /** Target batch size of a warm-up to run at the start of the next step; 0 for none. */
  readonly pendingWarmup: number;
  /** Completed warm-ups (seeds the next one's draws). */
  readonly warmups: number;
  /** Validation examples drawn so far (observation, meta and warm-up batches). */
  readonly validationExamplesSeen: number;
}
