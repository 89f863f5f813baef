/**
 * What a LABPAL call works with once README “Training call”'s counters have advanced: the model, the resolved
 * config, the input state, the updated control, this call's batch and the tensor ledger, plus
 * the report fields every call shares.
 */
import {
  disposeList,
  EmptyBatchError,
  type EvaluateRequest,
  type EvaluateResult,
  type Model,
  type SampledBatch,
} from '@abs/core';
import type { LabpalControl, WindowTrigger } from './labpal-control';
import type { LabpalReport } from './labpal-report';
import type { LabpalState } from './labpal-state';
import type { ResolvedLabpalConfig } from './resolve-labpal-config';
import type { TensorLedger } from './tensor-ledger';

export interface LabpalCall<T> {
  readonly model: Model<T>;
  readonly config: ResolvedLabpalConfig;
  /** The input state (with a discarded accumulation already removed). */
  readonly state: LabpalState<T>;
  /** The control after steps 1–3 of README “Training call”. */
  readonly control: LabpalControl;
  readonly trigger: WindowTrigger | null;
  readonly batch: SampledBatch;
  readonly ledger: TensorLedger<T>;
}

export interface LabpalCallResult<T> {
  readonly state: LabpalState<T>;
  readonly report: LabpalReport;
}

/** `model.evaluate` on this call's batch; an empty answer is an `EmptyBatchError`. */
export async function evaluateBatch<T>(call: LabpalCall<T>, request: EvaluateRequest<T>): Promise<EvaluateResult<T>> {
  const result = await call.model.evaluate(call.batch.indices, request);
  if (result.batchSize === 0 || call.batch.indices.length === 0) {
    disposeList(call.model.ops, result.gradient);
    throw new EmptyBatchError({ where: `labpal (step ${call.control.call + 1})` });
  }
  if (result.gradient) call.ledger.create(result.gradient);
  return result;
}

/** The report fields shared by every call, for the state the call ends in. */
export function baseReport<T>(
  call: LabpalCall<T>,
  next: { state: LabpalState<T>; loss: number },
): Omit<LabpalReport, 'phase'> {
  const { config } = call;
  const { state } = next;
  const control = call.control;
  return {
    step: control.call + 1,
    call: control.call,
    loss: next.loss,
    batchSize: config.batchSize * control.accumulation,
    accumulation: control.accumulation,
    learningRate: config.mode === 'SGD' ? (state.learningRate ?? 0) : state.lastLearningRate,
    stepSize: state.stepSize,
    maxStepSize: state.maxStepSize,
    updates: state.control.updates,
    examplesSeen: state.sampler.examplesSeen,
    forwardPasses: state.forwardPasses,
    ...(call.trigger === null ? {} : { trigger: call.trigger }),
  };
}
