/**
 * What one Arbiter step reports (README “API”): core's step report plus the
 * meta-step's quantities, and at epoch ends the next batch size and the chosen candidate.
 */
import type { StepReport } from '@abs/core';

export interface ArbiterReport extends StepReport {
  /** Examples in this step's inner update: B_e, or fewer for the last batch of an epoch. */
  readonly batchSize: number;
  /** B_e, the batch size of this epoch. */
  readonly epochBatchSize: number;
  /** 0-based training epoch of this batch. */
  readonly epoch: number;
  /** B_t = B(l_α), the meta-batch size. */
  readonly metaBatchSize: number;
  /** F, the meta-objective (head cross-entropy on the injected features). */
  readonly metaLoss: number;
  readonly lAlpha: number;
  /** B(l_j) of the sorted candidates. */
  readonly candidates: readonly number[];
  /** π = softmax(α) used in this step. */
  readonly pi: readonly number[];
  readonly validationExamplesSeen: number;
  /** At epoch ends: B_{e+1}. */
  readonly nextBatchSize?: number;
  /** At decision epochs: j* (0-based). */
  readonly chosenIndex?: number;
  /** When a warm-up ran at the start of this step: its iterations. */
  readonly warmupIterations?: number;
}
