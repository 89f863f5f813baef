/**
 * Runs one warm-up (README “Warm-up”) inside an Arbiter step: picks the
 * observation source — validation batches of min(B_target, N_val) examples, or Gaussian
 * noise N(0, 1) of the input shape through a temporary agent view of a seeded noise bank of
 * 4·B_target examples — then re-draws α with fresh Adam state. The temporary agent starts from
 * the agent's running averages and hands its own back, so a noise warm-up moves them as a
 * warm-up on validation batches does.
 */
import { createRng, type Dataset, deriveSeed, featureSize, type Model, type Optimizer } from '@abs/core';
import { type AgentRuntime, agentDataset, compileAgent, readAgentBuffers, readPhi, syncAgentBuffers } from './agent';
import type { AgentParameters } from './agent-update';
import type { ArbiterState } from './arbiter-state';
import type { BatchSizeRange } from './batch-size-map';
import { sampleWithoutReplacement } from './data-split';
import { drawAlpha } from './epoch-decision';
import { hostAdamInit } from './host-adam';
import type { ResolvedArbiterConfig } from './resolve-arbiter-config';
import { warmUp } from './warmup';

/** Noise examples per target example in the `'noise'` warm-up bank. */
const NOISE_BANK_FACTOR = 4;

function noiseDataset(like: Dataset, size: number, seed: number): Dataset {
  const rng = createRng(seed);
  const features = Float32Array.from({ length: size * featureSize(like) }, () => rng.nextNormal());
  return { name: `${like.name}/arbiter-noise`, size, featureShape: like.featureShape, features };
}

export interface ArbiterWarmupResult<T> {
  /** φ after warm-up, m unchanged, α re-drawn with fresh Adam state. */
  readonly parameters: AgentParameters<T>;
  readonly iterations: number;
  /** Validation examples observed (0 for noise input). */
  readonly validationExamples: number;
}

export async function runArbiterWarmup<T>(
  model: Model<T>,
  input: {
    readonly agent: AgentRuntime<T>;
    readonly config: ResolvedArbiterConfig;
    readonly state: ArbiterState<T>;
    readonly current: AgentParameters<T>;
    readonly optimizer: Optimizer;
    readonly range: BatchSizeRange;
  },
): Promise<ArbiterWarmupResult<T>> {
  const { config, state, current, range } = input;
  const target = state.pendingWarmup;
  const seedOf = (iteration: number) => deriveSeed(state.seed, 'warmup', state.warmups, iteration);
  let agent = input.agent;
  let observe: (iteration: number) => Int32Array;
  let perIteration = 0;
  if (config.warmupInput === 'noise') {
    const bank = NOISE_BANK_FACTOR * target;
    const dataset = noiseDataset(model.dataset, bank, deriveSeed(state.seed, 'noise', state.warmups));
    agent = await compileAgent(model, {
      kind: input.agent.kind,
      dataset: agentDataset(dataset, config.nSamples),
      parameters: await readPhi(input.agent, current.phi),
      buffers: await readAgentBuffers(input.agent),
    });
    observe = (iteration) =>
      sampleWithoutReplacement({ size: bank, count: target, offset: 0, seed: seedOf(iteration) });
  } else {
    perIteration = Math.min(target, state.validationSize);
    observe = (iteration) =>
      sampleWithoutReplacement({
        size: state.validationSize,
        count: perIteration,
        offset: state.trainSize,
        seed: seedOf(iteration),
      });
  }
  try {
    const result = await warmUp(model.ops, {
      agent,
      optimizer: input.optimizer,
      current,
      target,
      range,
      settings: config,
      adam: {
        beta1: config.agentBeta1,
        beta2: config.agentBeta2,
        epsilon: config.agentEpsilon,
        weightDecay: config.agentWeightDecay,
      },
      observe,
    });
    if (agent !== input.agent) syncAgentBuffers(input.agent, await readAgentBuffers(agent));
    return {
      parameters: {
        ...result.parameters,
        alpha: drawAlpha(config.nSamples, config.alphaInitScale, deriveSeed(state.seed, 'alpha', state.alphaDraws)),
        alphaAdam: hostAdamInit(config.nSamples),
      },
      iterations: result.iterations,
      validationExamples: perIteration * result.iterations,
    };
  } finally {
    if (agent !== input.agent) agent.model.dispose();
  }
}
