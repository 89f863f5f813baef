/**
 * `checkState` of PAL and LABPAL: a resumed state is checked field by field before the first
 * step (README “API”), so a corrupted checkpoint fails at `resume` with an
 * `InvalidCheckpointError` naming the field (`resume.state.window.losses[2]`) instead of at
 * some later call with whatever the arithmetic throws. The rules are the invariants `init`
 * and `step` keep: counters are integers, sizes are the dataset's and the config's, tensor
 * lists are one tensor per parameter (or null where the state allows it).
 */
import {
  checkSamplerState,
  checkStateInteger,
  checkStateNumber,
  checkStateTensors,
  invalidState,
  type Model,
  stateRecord,
} from '@abs/core';
import type { ResolvedLabpalConfig } from './resolve-labpal-config';

/** `null`, or one tensor per parameter; `required` refuses null. */
function checkTensorsOrNull<T>(model: Model<T>, value: unknown, field: string, required = false): void {
  if (value === null && !required) return;
  checkStateTensors(model, value, field);
}

/** An array, returned as one. */
function stateArray(value: unknown, field: string): readonly unknown[] {
  return Array.isArray(value) ? value : invalidState(field, value, 'an array');
}

/** A finite number or null. */
const checkNumberOrNull = (value: unknown, field: string): void => {
  if (value !== null) checkStateNumber(value, field);
};

/** PAL: step, sampler, d_prev (null when β = 0 or before the first step) and the pass count. */
export function checkPalState<T>(model: Model<T>, raw: unknown, directionFactor: number): void {
  const state = stateRecord(raw, '');
  checkStateInteger(state.step, 'step');
  checkSamplerState(state.sampler, 'resume.state.sampler', model.dataset.size);
  if (directionFactor === 0 && state.direction !== null) invalidState('direction', state.direction, 'null (β = 0)');
  checkTensorsOrNull(model, state.direction, 'direction');
  checkStateInteger(state.forwardPasses, 'forwardPasses');
}

function checkControl(raw: unknown): void {
  const control = stateRecord(raw, 'control');
  checkStateInteger(control.call, 'control.call', -1);
  if (control.phase !== 'train' && control.phase !== 'measure') {
    invalidState('control.phase', control.phase, "'train' or 'measure'");
  }
  checkStateInteger(control.accumulation, 'control.accumulation', 1);
  checkStateInteger(control.kStart, 'control.kStart');
  checkStateInteger(control.updates, 'control.updates', -1);
  checkStateInteger(control.accumulated, 'control.accumulated');
  checkStateInteger(control.windowCall, 'control.windowCall');
  checkStateInteger(control.consecutiveFailures, 'control.consecutiveFailures');
  stateArray(control.schedule, 'control.schedule').forEach((entry, i) => {
    const field = `control.schedule[${i}]`;
    if (!Array.isArray(entry) || entry.length !== 2) invalidState(field, entry, 'a [call, multiplier] pair');
    checkStateInteger(entry[0], `${field}[0]`);
    checkStateInteger(entry[1], `${field}[1]`, 1);
  });
  if (typeof control.untrustedRemeasured !== 'boolean') {
    invalidState('control.untrustedRemeasured', control.untrustedRemeasured, 'a boolean');
  }
}

/** The measurement window: stored batches of B indices into the dataset, their losses (NaN kept), ḡ, u, ‖d‖. */
function checkWindow<T>(model: Model<T>, raw: unknown, batchSize: number): void {
  const window = stateRecord(raw, 'window');
  const batches = stateArray(window.batches, 'window.batches');
  const size = model.dataset.size;
  batches.forEach((batch, i) => {
    const ok = batch instanceof Int32Array && batch.length === batchSize && batch.every((e) => e >= 0 && e < size);
    if (!ok) invalidState(`window.batches[${i}]`, batch, `an Int32Array of ${batchSize} indices in [0, ${size})`);
  });
  const losses = stateArray(window.losses, 'window.losses');
  if (losses.length !== batches.length) {
    invalidState('window.losses', losses, `one loss per stored batch (${batches.length})`);
  }
  losses.forEach((loss, i) => {
    if (typeof loss !== 'number' || loss === Number.POSITIVE_INFINITY || loss === Number.NEGATIVE_INFINITY) {
      invalidState(`window.losses[${i}]`, loss, 'a finite number or NaN');
    }
  });
  checkTensorsOrNull(model, window.gradient, 'window.gradient');
  checkTensorsOrNull(model, window.direction, 'window.direction');
  checkStateNumber(window.directionNorm, 'window.directionNorm', { min: 0 });
}

/** LABPAL: every field of `LabpalState` (a state saved before the cap was stored may lack `maxStepSize`). */
export function checkLabpalState<T>(model: Model<T>, raw: unknown, config: ResolvedLabpalConfig): void {
  const state = stateRecord(raw, '');
  checkControl(state.control);
  checkSamplerState(state.sampler, 'resume.state.sampler', model.dataset.size);
  if (state.maxStepSize !== undefined) {
    checkStateNumber(state.maxStepSize, 'maxStepSize', { min: Number.MIN_VALUE });
  }
  checkNumberOrNull(state.stepSize, 'stepSize');
  checkNumberOrNull(state.learningRate, 'learningRate');
  const history = stateRecord(state.history, 'history');
  for (const key of ['steps', 'learningRates'] as const) {
    stateArray(history[key], `history.${key}`).forEach((v, i) => checkStateNumber(v, `history.${key}[${i}]`));
  }
  checkStateNumber(state.lastLearningRate, 'lastLearningRate', { min: 0 });
  const training = stateRecord(state.training, 'training');
  checkTensorsOrNull(model, training.gradient, 'training.gradient');
  checkStateNumber(training.loss, 'training.loss');
  checkWindow(model, state.window, config.batchSize);
  if (config.momentum === 0 && state.momentum !== null) invalidState('momentum', state.momentum, 'null (momentum 0)');
  checkTensorsOrNull(model, state.momentum, 'momentum', config.momentum !== 0);
  checkStateInteger(state.forwardPasses, 'forwardPasses');
}
