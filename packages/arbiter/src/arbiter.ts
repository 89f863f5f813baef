/**
 * Arbiter (MacLellan & Dong 2022, "Hyper-Learning for Gradient-Based Batch Size Adaptation", arXiv
 * 2205.08231), as specified in README. Each step is one inner step on a training batch of B_e
 * examples followed by one meta-step of a small agent on validation data (README “One iteration”);
 * at epoch ends the agent's favoured candidate becomes the next batch size (README “Epoch-end
 * decision”). Warm-ups (README “Warm-up”) run at the start of the step after they are due. A step
 * that throws leaves the state and the inner parameters as they were (the inner step is rolled back
 * too) and releases the compiled agent, which the next step rebuilds from the state.
 */
import {
  type Algorithm,
  type AlgorithmState,
  assertCapabilities,
  assertFiniteUpdate,
  type Capability,
  checker,
  cloneList,
  createRng,
  createSamplerState,
  deriveSeed,
  disposeList,
  disposeOptimizerState,
  type Model,
  sampleBatch,
} from '@abs/core';
import { readAgentBuffers } from './agent';
import { createAgentRegistry } from './agent-registry';
import { type AgentParameters, agentAdam, updateAgent } from './agent-update';
import type { ArbiterReport } from './arbiter-report';
import type { ArbiterState } from './arbiter-state';
import { runArbiterWarmup } from './arbiter-warmup';
import { type BatchSizeRange, batchSizeOf } from './batch-size-map';
import { checkArbiterState } from './check-arbiter-state';
import { sampleWithoutReplacement, sampleWithReplacement, splitDataset } from './data-split';
import { decideBatchSize, drawAlpha } from './epoch-decision';
import { hostAdamInit } from './host-adam';
import { innerStep } from './inner-step';
import { metaStep } from './meta-step';
import { type ArbiterOptions, resolveArbiterConfig } from './resolve-arbiter-config';

const REQUIRES: readonly Capability[] = [
  'loss',
  'gradient',
  'features',
  'replaceFeatures',
  'outputGradient',
  'outputs',
];

/** Arbiter as a core `Algorithm`, with `release` for the agent it compiles per inner model. */
export interface ArbiterAlgorithm extends Algorithm<ArbiterReport> {
  /**
   * Disposes the agent compiled for `model` (its parameters and, on a device, its copy of the
   * observations). Call it when done with the runs on `model`; a later `step` on it rebuilds the
   * agent from the state. A step that throws releases the agent by itself.
   */
  release<T>(model: Model<T>): void;
}

/**
 * @param options see `ArbiterOptions` (spec names: nSamples, sMin, sMax, phiLr, alphaLr, schedInterval, …)
 * @example
 * const algorithm = arbiter({ nSamples: 4, sMin: 8, sMax: 512 });
 * const run = await train(model, algorithm, { steps: 2000 });
 * run.trace.filter((r) => r.nextBatchSize !== undefined).map((r) => r.nextBatchSize); // e.g. [143, 97, …]
 * @see README
 */
export function arbiter(options: ArbiterOptions = {}): ArbiterAlgorithm {
  const config = resolveArbiterConfig(options);
  const range: BatchSizeRange = { sMin: config.sMin, sMax: config.sMax, fidelity: config.fidelity };
  const adamConfig = {
    beta1: config.agentBeta1,
    beta2: config.agentBeta2,
    epsilon: config.agentEpsilon,
    weightDecay: config.agentWeightDecay,
  };
  const phiOptimizer = agentAdam(adamConfig);
  const updateConfig = { ...adamConfig, phiLr: config.phiLr, alphaLr: config.alphaLr };
  const optimizer = config.innerOptimizer;
  const agents = createAgentRegistry(config);

  return {
    name: 'arbiter',
    config: {
      ...config,
      fixedSchedule: config.fixedSchedule && {
        milestones: [...config.fixedSchedule.milestones],
        sizes: [...config.fixedSchedule.sizes],
      },
      innerOptimizer: { name: optimizer.name, ...optimizer.config },
      innerLrHypergradient: config.innerLrHypergradient && { ...config.innerLrHypergradient },
    },
    requires: REQUIRES,

    async init<T>(model: Model<T>, { seed }: { seed: number }): Promise<AlgorithmState> {
      assertCapabilities(model, REQUIRES, 'needed by arbiter');
      const split = splitDataset(model.dataset.size, config.trainFraction);
      const depth = model.layers.length;
      const injectionLayer = checker('arbiter').integer('injectionLayer', config.injectionLayer ?? depth - 1, {
        gte: 0,
        lt: depth,
        names: { lt: `the inner model's ${depth} layers` },
      });
      const injected = model.layers[injectionLayer] as (typeof model.layers)[number];
      checker('arbiter').check(
        injected.sequenceIndex !== undefined,
        'injectionLayer',
        injectionLayer,
        'a layer of the top-level sequence (not inside a residual block)',
      );
      const width = injected.inputSize;
      const agent = await agents.create(model, deriveSeed(seed, 'agent'));
      const phi = cloneList(model.ops, agent.model.parameters);
      agent.synced = phi;
      const rng = createRng(deriveSeed(seed, 'm'));
      const state: ArbiterState<T> = {
        step: 0,
        seed,
        trainSize: split.trainSize,
        validationSize: split.validationSize,
        injectionLayer,
        batchSize: config.initialBatchSize,
        epoch: 0,
        sampler: createSamplerState({ size: split.trainSize, seed }),
        inner: optimizer.init(model.ops, model.parameters),
        phi,
        phiAdam: phiOptimizer.init(model.ops, phi),
        agentBuffers: await readAgentBuffers(agent),
        m: Float64Array.from({ length: width }, () => 2 * rng.nextFloat() - 1),
        mAdam: hostAdamInit(width),
        alpha: drawAlpha(config.nSamples, config.alphaInitScale, deriveSeed(seed, 'alpha', 0)),
        alphaAdam: hostAdamInit(config.nSamples),
        alphaDraws: 1,
        lastLogits: new Float64Array(0),
        pendingWarmup: config.warmup ? config.initialBatchSize : 0,
        warmups: 0,
        validationExamplesSeen: 0,
      };
      return state;
    },

    checkState: (model, state) => checkArbiterState(model, state, { config, phiOptimizer }),

    async step<T>(model: Model<T>, raw: AlgorithmState) {
      try {
        return await arbiterStep(model, raw as ArbiterState<T>);
      } catch (error) {
        agents.release(model); // the next step rebuilds it from the (unchanged) state
        throw error;
      }
    },

    release: (model) => agents.release(model),
  };

  async function arbiterStep<T>(model: Model<T>, state: ArbiterState<T>) {
    const ops = model.ops;
    const step = state.step + 1;
    const agent = await agents.forState(model, state);
    let current: AgentParameters<T> = state;
    let alphaDraws = state.alphaDraws;
    let validationExamplesSeen = state.validationExamplesSeen;
    let warmupIterations: number | undefined;
    if (state.pendingWarmup > 0) {
      const warm = await runArbiterWarmup(model, { agent, config, state, current, optimizer: phiOptimizer, range });
      current = warm.parameters;
      alphaDraws += 1;
      validationExamplesSeen += warm.validationExamples;
      warmupIterations = warm.iterations;
    }
    /** Frees φ made by this step's warm-up (never the input state's). */
    const releaseWarmup = () => {
      if (current.phi === state.phi) return;
      disposeList(ops, current.phi);
      disposeOptimizerState(ops, current.phiAdam);
    };

    const batch = sampleBatch(state.sampler, Math.min(state.batchSize, state.trainSize), 'truncate');
    let inner: Awaited<ReturnType<typeof innerStep<T>>>;
    try {
      inner = await innerStep(model, { optimizer, state: state.inner, batch: batch.indices, step });
      // An update is applied only when every new parameter is finite (NonFiniteError names it).
      await assertFiniteUpdate(model, inner.parameters, {
        step,
        discard: [inner.parameters, inner.optimizerState],
      });
    } catch (error) {
      releaseWarmup();
      throw error;
    }
    const previous = cloneList(ops, model.parameters);
    model.setParameters(inner.parameters);
    const observation = sampleWithoutReplacement({
      size: state.validationSize,
      count: Math.min(state.batchSize, state.validationSize),
      offset: state.trainSize,
      seed: deriveSeed(state.seed, 'observe', step),
    });
    let meta: Awaited<ReturnType<typeof metaStep<T>>>;
    let updated: AgentParameters<T>;
    let agentBuffers: readonly Float32Array[];
    try {
      meta = await metaStep({
        inner: model,
        agent,
        phi: current.phi,
        m: current.m,
        alpha: current.alpha,
        observation,
        drawMetaBatch: (count) =>
          sampleWithReplacement({
            size: state.validationSize,
            count,
            offset: state.trainSize,
            seed: deriveSeed(state.seed, 'meta', step),
          }),
        layer: state.injectionLayer,
        range,
        step,
      });
      try {
        agentBuffers = await readAgentBuffers(agent);
        updated = updateAgent(ops, {
          optimizer: phiOptimizer,
          current,
          gradients: meta.gradients,
          config: updateConfig,
        });
      } finally {
        disposeList(ops, meta.gradients.phi);
      }
    } catch (error) {
      model.setParameters(previous); // disposes the new parameters
      disposeOptimizerState(ops, inner.optimizerState);
      releaseWarmup();
      throw error;
    }
    // Commit: nothing below can fail.
    disposeList(ops, previous);
    disposeOptimizerState(ops, state.inner);
    releaseWarmup();
    disposeList(ops, state.phi);
    disposeOptimizerState(ops, state.phiAdam);

    let { alpha, alphaAdam } = updated;
    let batchSize = state.batchSize;
    let epoch = state.epoch;
    let pendingWarmup = 0;
    let decision: { nextBatchSize?: number; chosenIndex?: number } = {};
    if (batch.epochEnded) {
      epoch += 1;
      if (epoch % config.schedInterval === 0) {
        const chosen = decideBatchSize(alpha, meta.logits, range);
        batchSize = chosen.nextBatchSize;
        decision = { chosenIndex: chosen.chosenIndex };
        alpha = drawAlpha(config.nSamples, config.alphaInitScale, deriveSeed(state.seed, 'alpha', alphaDraws));
        alphaAdam = hostAdamInit(config.nSamples);
        alphaDraws += 1;
      }
      const milestone = config.fixedSchedule?.milestones.indexOf(epoch) ?? -1;
      if (milestone >= 0) {
        batchSize = config.fixedSchedule?.sizes[milestone] as number;
        if (config.warmup) pendingWarmup = batchSize;
      }
      decision = { ...decision, nextBatchSize: batchSize };
    }
    validationExamplesSeen += observation.length + meta.metaBatchSize;
    const next: ArbiterState<T> = {
      ...state,
      step,
      batchSize,
      epoch,
      sampler: batch.state,
      inner: inner.optimizerState,
      ...updated,
      agentBuffers,
      alpha,
      alphaAdam,
      alphaDraws,
      lastLogits: meta.logits,
      pendingWarmup,
      warmups: state.warmups + (warmupIterations === undefined ? 0 : 1),
      validationExamplesSeen,
    };
    const report: ArbiterReport = {
      step,
      loss: inner.loss,
      batchSize: batch.indices.length,
      epochBatchSize: state.batchSize,
      epoch: batch.epoch,
      learningRate: inner.optimizerState.learningRate,
      examplesSeen: batch.state.examplesSeen,
      metaBatchSize: meta.metaBatchSize,
      metaLoss: meta.metaLoss,
      lAlpha: meta.lAlpha,
      candidates: Array.from(meta.logits, (l) => batchSizeOf(l, range)),
      pi: Array.from(meta.pi),
      validationExamplesSeen,
      ...decision,
      ...(warmupIterations === undefined ? {} : { warmupIterations }),
    };
    return { state: next, report };
  }
}
