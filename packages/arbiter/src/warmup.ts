/**
 * Warm-up of README “Warm-up”: before epoch 1 and after each fixed-schedule
 * milestone the agent is trained to propose a target batch size. Each iteration observes a
 * batch, mixes the sorted candidates into l_α and takes one Adam step (φ and α at
 * `warmupLr`; m gets no gradient) on SmoothL1_{β=1}(l_α, l*), l* = logitB(B_target), until
 * |B(l_α) − B_target| < tolerance (B(l_α) from that iteration's forward pass, whose step is
 * still applied). The caller re-draws α with fresh Adam state afterwards.
 */
import { assertFinite, disposeList, disposeOptimizerState, type Optimizer, type TensorOps } from '@abs/core';
import { type AgentRuntime, agentGradient, agentOutputs } from './agent';
import { type AgentParameters, type AgentUpdateConfig, updateAgent } from './agent-update';
import { type BatchSizeRange, batchSizeOf, logitOfBatchSize } from './batch-size-map';
import { mixLogits, routeToOutputs, softmax, sortedCandidates } from './mixture';
import { WarmupNotConvergedError } from './warmup-not-converged-error';

/**
 * SmoothL1 with β = 1: ½(x − y)² if |x − y| < 1, else |x − y| − ½.
 * @example
 * smoothL1(0, -1.1631508098056809); // 0.6631508098056809 (A5)
 */
export function smoothL1(x: number, y: number): number {
  const d = Math.abs(x - y);
  return d < 1 ? 0.5 * d * d : d - 0.5;
}

/**
 * ∂SmoothL1(x, y)/∂x = clamp(x − y, −1, 1).
 * @example
 * smoothL1Gradient(0, -1.1631508098056809); // 1
 */
export const smoothL1Gradient = (x: number, y: number): number => Math.max(-1, Math.min(1, x - y));

export interface WarmupSettings {
  readonly warmupLr: number;
  readonly warmupTolerance: number;
  readonly maxWarmupIters: number;
}

export interface WarmupResult<T> {
  /** φ and α after the last step (m and its Adam state unchanged). */
  readonly parameters: AgentParameters<T>;
  readonly iterations: number;
  /** B(l_α) of the last iteration. */
  readonly lastBatchSize: number;
}

/**
 * @throws WarmupNotConvergedError after `maxWarmupIters` iterations; NonFiniteError for
 *   non-finite agent outputs or l_α. The input parameters are never disposed or changed.
 * @see README “Warm-up”
 */
export async function warmUp<T>(
  ops: TensorOps<T>,
  input: {
    readonly agent: AgentRuntime<T>;
    readonly optimizer: Optimizer;
    readonly current: AgentParameters<T>;
    readonly target: number;
    readonly range: BatchSizeRange;
    readonly settings: WarmupSettings;
    readonly adam: Omit<AgentUpdateConfig, 'phiLr' | 'alphaLr'>;
    /** Observation batch of iteration `i` (1-based). */
    readonly observe: (iteration: number) => Int32Array;
  },
): Promise<WarmupResult<T>> {
  const { agent, optimizer, target, range, settings } = input;
  const targetLogit = logitOfBatchSize(target, range);
  const config = { ...input.adam, phiLr: settings.warmupLr, alphaLr: settings.warmupLr };
  let current = input.current;
  let owned = false;
  const release = () => {
    if (!owned) return;
    disposeList(ops, current.phi);
    disposeOptimizerState(ops, current.phiAdam);
  };
  let lastBatchSize = Number.NaN;
  try {
    for (let iteration = 1; iteration <= settings.maxWarmupIters; iteration++) {
      const observation = input.observe(iteration);
      const outputs = await agentOutputs(agent, current.phi, observation);
      assertFinite(
        outputs.reduce((s, v) => s + v, 0),
        'agentOutputs',
      );
      const k = current.alpha.length;
      const { logits, permutation } = sortedCandidates(outputs, observation.length, k);
      const pi = softmax(current.alpha);
      const lAlpha = mixLogits(pi, logits);
      assertFinite(lAlpha, 'lAlpha');
      const g = smoothL1Gradient(lAlpha, targetLogit);
      const logitGradient = pi.map((p) => p * g);
      const alphaGradient = pi.map((p, j) => p * ((logits[j] as number) - lAlpha) * g);
      const upstream = routeToOutputs(logitGradient, permutation, observation.length);
      const phiGradient = await agentGradient(agent, current.phi, observation, upstream);
      const next = updateAgent(ops, {
        optimizer,
        current,
        gradients: { phi: phiGradient, alpha: alphaGradient },
        config,
      });
      disposeList(ops, phiGradient);
      release();
      current = next;
      owned = true;
      lastBatchSize = batchSizeOf(lAlpha, range);
      if (Math.abs(lastBatchSize - target) < settings.warmupTolerance) {
        return { parameters: current, iterations: iteration, lastBatchSize };
      }
    }
  } catch (error) {
    release();
    throw error;
  }
  release();
  throw new WarmupNotConvergedError({
    target,
    lastBatchSize,
    iterations: settings.maxWarmupIters,
    tolerance: settings.warmupTolerance,
  });
}
