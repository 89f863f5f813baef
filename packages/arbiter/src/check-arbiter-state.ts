/**
 * `arbiter().checkState`: a resumed `ArbiterState` is checked field by field before the first
 * step (README “API”), so a corrupted checkpoint fails at `resume` with an
 * `InvalidCheckpointError` naming the field (`resume.state.phiAdam.slots.m`) instead of when
 * the agent is rebuilt or at some later epoch end. The rules are the invariants `init` and
 * `step` keep: the split and the injection layer are the ones this model and config give; φ
 * and its Adam state have the shapes of the agent's spec; m, α and their Adam moments are
 * float64 vectors of the feature width d and of K.
 */
import {
  checkOptimizerState,
  checkSamplerState,
  checkStateInteger,
  checkStateTensors,
  describeSpec,
  invalidState,
  type Model,
  type Optimizer,
  stateRecord,
} from '@abs/core';
import { agentDataset } from './agent';
import { agentSpecFor, resolveAgentKind } from './agent-spec';
import { splitDataset } from './data-split';
import type { ResolvedArbiterConfig } from './resolve-arbiter-config';

/** `value` must be exactly `expected` (a quantity this model and config determine). */
function checkEqual(value: unknown, expected: number, field: string, what: string): void {
  if (value !== expected) invalidState(field, value, `${expected} (${what})`);
}

/** A Float64Array of `length` finite entries. */
function checkVector(value: unknown, length: number, field: string): void {
  const ok = value instanceof Float64Array && value.length === length && value.every(Number.isFinite);
  if (!ok) invalidState(field, value, `a Float64Array of ${length} finite numbers`);
}

/** The host Adam state of a vector of `length` entries. */
function checkHostAdam(value: unknown, length: number, field: string): void {
  const state = stateRecord(value, field);
  checkStateInteger(state.step, `${field}.step`);
  checkVector(state.m, length, `${field}.m`);
  checkVector(state.v, length, `${field}.v`);
}

/**
 * The agent as core's state checks see a model: its parameter shapes from its spec and φ as
 * its parameters (those checks read nothing else; the agent itself is compiled at the first step).
 */
function agentView<T>(model: Model<T>, phi: unknown, config: ResolvedArbiterConfig) {
  const kind = resolveAgentKind(config.agent, model.dataset.featureShape);
  const spec = agentSpecFor(kind, agentDataset(model.dataset, config.nSamples), config.nSamples);
  const { parameters, buffers } = describeSpec(spec);
  const view = { ops: model.ops, parameterInfo: parameters, parameters: phi } as unknown as Model<T>;
  return { view, buffers };
}

/** @param setup the resolved config and the Adam that updates φ (whose slots `phiAdam` must have) */
export function checkArbiterState<T>(
  model: Model<T>,
  raw: unknown,
  setup: { readonly config: ResolvedArbiterConfig; readonly phiOptimizer: Optimizer },
): void {
  const { config, phiOptimizer } = setup;
  const state = stateRecord(raw, '');
  checkStateInteger(state.step, 'step');
  checkStateInteger(state.seed, 'seed');
  const split = splitDataset(model.dataset.size, config.trainFraction);
  checkEqual(state.trainSize, split.trainSize, 'trainSize', 'this dataset’s training split');
  checkEqual(state.validationSize, split.validationSize, 'validationSize', 'this dataset’s validation split');
  const layer = config.injectionLayer ?? model.layers.length - 1;
  checkEqual(state.injectionLayer, layer, 'injectionLayer', 'the injection layer of this model and config');
  checkStateInteger(state.batchSize, 'batchSize', 1);
  checkStateInteger(state.epoch, 'epoch');
  checkSamplerState(state.sampler, 'resume.state.sampler', split.trainSize);
  checkOptimizerState(model, config.innerOptimizer, state.inner, 'inner');

  const agent = agentView(model, state.phi, config);
  checkStateTensors(agent.view, state.phi, 'phi');
  checkOptimizerState(agent.view, phiOptimizer, state.phiAdam, 'phiAdam');
  const agentBuffers = state.agentBuffers;
  const buffersOk =
    Array.isArray(agentBuffers) &&
    (agentBuffers.length === 0 ||
      (agentBuffers.length === agent.buffers.length &&
        agentBuffers.every(
          (b, i) => b instanceof Float32Array && b.length === agent.buffers[i]?.shape.reduce((x, y) => x * y, 1),
        )));
  if (!buffersOk) {
    invalidState('agentBuffers', agentBuffers, `[] or the agent's ${agent.buffers.length} running averages`);
  }

  const width = (model.layers[layer] as (typeof model.layers)[number]).inputSize;
  checkVector(state.m, width, 'm');
  checkHostAdam(state.mAdam, width, 'mAdam');
  checkVector(state.alpha, config.nSamples, 'alpha');
  checkHostAdam(state.alphaAdam, config.nSamples, 'alphaAdam');
  checkStateInteger(state.alphaDraws, 'alphaDraws', 1);
  const logits = state.lastLogits;
  if (!(logits instanceof Float64Array && logits.length === 0)) checkVector(logits, config.nSamples, 'lastLogits');
  checkStateInteger(state.pendingWarmup, 'pendingWarmup');
  checkStateInteger(state.warmups, 'warmups');
  checkStateInteger(state.validationExamplesSeen, 'validationExamplesSeen');
}
