/**
 * A LABPAL training call (README “Training call”): forward and backward on the
 * batch, running means of gradient and loss over T_b batches, and at c = T_b one update along
 * d = ḡ (or the momentum buffer buf ← β·buf + ḡ) with n = ‖d‖ (0 → ε):
 * NSGD θ ← θ − s̄·v/n, SGD θ ← θ − λ̄·v. v = d, except in `reference` mode with β ≠ 0 and
 * T_b = 1, where the reference's bug uses the raw ḡ while n stays the buffer's norm (the fidelity notes, README “API”).
 */
import {
  assertFinite,
  assertFiniteTensors,
  assertFiniteUpdate,
  axpbyList,
  InvalidArgumentError,
  normList,
} from '@abs/core';
import { baseReport, evaluateBatch, type LabpalCall, type LabpalCallResult } from './labpal-call';
import { advanceTraining } from './labpal-control';
import { emptyAccumulator, type LabpalState } from './labpal-state';

export async function trainingCall<T>(call: LabpalCall<T>): Promise<LabpalCallResult<T>> {
  const { model, config, state, ledger } = call;
  const { ops } = model;
  const step = call.control.call + 1;
  const result = await evaluateBatch(call, { gradient: true });
  const gradient = result.gradient as T[];
  assertFinite(result.loss, 'loss', step);
  await assertFiniteTensors(ops, gradient, { prefix: 'gradient', names: model.parameterInfo.map((p) => p.name), step });
  const { stepSize, learningRate } = state;
  if (stepSize === null || learningRate === null) {
    throw new InvalidArgumentError({
      argument: 'state',
      value: null,
      message: 'labpal: the state has no step size at a training call; pass the state made by labpal().init',
    });
  }

  const count = call.control.accumulated + 1;
  const previous = state.training.gradient;
  let mean = gradient;
  if (previous !== null) {
    mean = ledger.create(axpbyList(ops, (count - 1) / count, previous, 1 / count, gradient));
    ledger.discard(gradient);
    ledger.discard(previous);
  }
  const loss = previous === null ? result.loss : state.training.loss + (result.loss - state.training.loss) / count;
  const advanced = advanceTraining(call.control);
  const forwardPasses = state.forwardPasses + 1;
  if (!advanced.updated) {
    const next: LabpalState<T> = {
      ...state,
      control: advanced.control,
      sampler: call.batch.state,
      training: { gradient: mean, loss },
      forwardPasses,
    };
    return { state: next, report: { ...baseReport(call, { state: next, loss: result.loss }), phase: 'train' } };
  }

  const beta = config.momentum;
  let momentum = state.momentum;
  if (beta !== 0 && momentum !== null) {
    const buffer = ledger.create(axpbyList(ops, beta, momentum, 1, mean));
    ledger.discard(momentum);
    momentum = buffer;
  }
  const direction = momentum ?? mean;
  const norm = await normList(ops, direction);
  const n = norm === 0 ? config.epsilon : norm;
  const bug = config.fidelity === 'reference' && beta !== 0 && call.control.accumulation === 1;
  const update = bug ? mean : direction;
  const nsgd = config.mode === 'NSGD';
  const parameters = axpbyList(ops, 1, model.parameters, nsgd ? -stepSize / n : -learningRate, update);
  await assertFiniteUpdate(model, parameters, { step, discard: parameters });
  ledger.discard(mean);
  model.setParameters(parameters);
  const next: LabpalState<T> = {
    ...state,
    control: advanced.control,
    sampler: call.batch.state,
    training: emptyAccumulator(),
    momentum,
    lastLearningRate: nsgd ? Math.max(stepSize / Math.max(n, config.epsilon), config.epsilon) : learningRate,
    forwardPasses,
  };
  return {
    state: next,
    report: { ...baseReport(call, { state: next, loss: result.loss }), phase: 'train', accumulatedLoss: loss },
  };
}
