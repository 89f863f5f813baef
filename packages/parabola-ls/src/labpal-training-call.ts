/**
 * A LABPAL training call (README “Training call”): forward and backward on the
 * batch, running means of gradient and loss over T_b batches, and at c = T_b one update along
 * d = ḡ (or the momentum buffer buf ← β·buf + ḡ) with n = ‖d‖ (0 → ε):
 * NSGD θ ← θ − s̄·v/n, SGD θ ← θ − λ̄·v. v = d, except in `reference` mode with β ≠ 0 and
 * T_b = 1, where the reference's bug uses the raw ḡ while n stays the buffer's norm (the fidelity notes, README “API”).
 * With β = 0 and T_b = 1 (SGD or NSGD) the update goes through the model's `sgdStep` where it has one.
 */
import { assertFinite, assertFiniteTensors, axpbyList, InvalidArgumentError } from '@abs/core';
import { checkedSquaredNorm } from './direction-norm';
import { baseReport, evaluateBatch, type LabpalCall, type LabpalCallResult } from './labpal-call';
import { advanceTraining } from './labpal-control';
import { emptyAccumulator, type LabpalState } from './labpal-state';
import { checkedMove } from './line-ops';

/**
 * With β = 0 at T_b = 1 every training call updates along this batch's own gradient: SGD
 * θ ← θ − λ̄·g, NSGD θ ← θ − s̄·g/n with n = ‖g‖ (ε when 0). A model with `sgdStep` takes that
 * step inside its own pass (NSGD through `normalize`, n formed there; only the loss and ‖g‖²
 * come back; the same step to float32 rounding). Undefined when that does not apply, or when
 * the backend left the model unchanged (something was not finite): the unfused call then runs
 * and names the quantity.
 */
async function fusedSgdCall<T>(call: LabpalCall<T>): Promise<LabpalCallResult<T> | undefined> {
  const { model, config, state, control } = call;
  const { learningRate, stepSize } = state;
  const plain = config.momentum === 0 && control.accumulation === 1;
  if (!plain || !model.sgdStep || learningRate === null || stepSize === null) return undefined;
  if (control.accumulated !== 0 || call.batch.indices.length === 0) return undefined;
  const nsgd = config.mode === 'NSGD';
  const rate = nsgd ? stepSize : learningRate;
  // sgdStep takes η > 0: a zero step (the line search found no descent) runs unfused.
  if (!(rate > 0 && Number.isFinite(rate))) return undefined;
  const fused = await model.sgdStep(
    call.batch.indices,
    nsgd ? { learningRate: rate, normalize: { epsilon: config.epsilon } } : { learningRate: rate },
  );
  if (!fused.applied) return undefined;
  const n = Math.sqrt(fused.gradientNormSquared);
  const next: LabpalState<T> = {
    ...state,
    control: advanceTraining(control).control,
    sampler: call.batch.state,
    training: emptyAccumulator(),
    lastLearningRate: nsgd ? Math.max(stepSize / Math.max(n, config.epsilon), config.epsilon) : learningRate,
    forwardPasses: state.forwardPasses + 1,
  };
  const report = { ...baseReport(call, { state: next, loss: fused.loss }), phase: 'train' as const };
  return { state: next, report: { ...report, accumulatedLoss: fused.loss } };
}

export async function trainingCall<T>(call: LabpalCall<T>): Promise<LabpalCallResult<T>> {
  const fused = await fusedSgdCall(call);
  if (fused) return fused;
  const { model, config, state, ledger } = call;
  const { ops } = model;
  const step = call.control.call + 1;
  const result = await evaluateBatch(call, { gradient: true });
  const gradient = result.gradient as T[];
  assertFinite(result.loss, 'loss', step);
  const advanced = advanceTraining(call.control);
  // A call that updates checks g through ‖d‖ below (checkedSquaredNorm); one that only accumulates checks it here.
  if (!advanced.updated) {
    await assertFiniteTensors(ops, gradient, {
      prefix: 'gradient',
      names: model.parameterInfo.map((p) => p.name),
      step,
    });
  }
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
  // The running mean stands for g in the check: it is g at T_b = 1, and holds g's non-finite entries otherwise.
  const norm = Math.sqrt(await checkedSquaredNorm(model, { gradient: mean, direction, step }));
  const n = norm === 0 ? config.epsilon : norm;
  const bug = config.fidelity === 'reference' && beta !== 0 && call.control.accumulation === 1;
  const update = bug ? mean : direction;
  const nsgd = config.mode === 'NSGD';
  const distance = nsgd ? -stepSize / n : -learningRate;
  const line = { origin: model.parameters, direction: update, directionScale: 1 };
  const parameters = await checkedMove(model, line, { distance, step });
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
