/**
 * Adam-HD (Baydin et al. 2018, Algorithm 6) for Arbiter's third mode
 * (README “Modes”): Adam with coupled L2 weight decay whose learning rate
 * follows  η ← η + β_hd·⟨g_t, u_{t−1}⟩,  u_{t−1} = m̂_{t−1}/(√v̂_{t−1} + ε)  (bias-corrected,
 * u_0 = 0), g_t including λθ. u is kept as the slot `direction`, exactly the step taken.
 */
import { adamStep, checker } from '@abs/core';
import { type HypergradientOptimizer, hypergradientLearningRate } from './hypergradient-optimizer';

export interface AdamHdOptions {
  /** Initial learning rate η_0 > 0 (default 1e-3). */
  readonly learningRate?: number;
  /** β_hd > 0. */
  readonly hypergradientBeta: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
  readonly weightDecay?: number;
}

/**
 * @example
 * const opt = adamHd({ learningRate: 1e-3, hypergradientBeta: 1e-7 });
 * // after a first step with g = [1, −2] the direction is ≈ [1, −1]; a next g = [3, 1] raises η by ≈ 2·β_hd
 * @see README “Modes”
 */
export function adamHd(options: AdamHdOptions): HypergradientOptimizer {
  const c = checker('adamHd');
  const learningRate = c.number('learningRate', options?.learningRate ?? 1e-3, { gt: 0 });
  const hypergradientBeta = c.number('hypergradientBeta', options.hypergradientBeta, { gt: 0 });
  const beta1 = c.number('beta1', options.beta1 ?? 0.9, { gte: 0, lt: 1 });
  const beta2 = c.number('beta2', options.beta2 ?? 0.999, { gte: 0, lt: 1 });
  const epsilon = c.number('epsilon', options.epsilon ?? 1e-8, { gt: 0 });
  const weightDecay = c.number('weightDecay', options.weightDecay ?? 0, { gte: 0 });
  return {
    name: 'adam-hd',
    config: { learningRate, hypergradientBeta, beta1, beta2, epsilon, weightDecay },
    learningRate,
    hypergradientBeta,
    init: (ops, parameters) => ({
      step: 0,
      learningRate,
      slots: {
        m: parameters.map((p) => ops.zerosLike(p)),
        v: parameters.map((p) => ops.zerosLike(p)),
        direction: parameters.map((p) => ops.zerosLike(p)),
      },
    }),
    adaptLearningRate: hypergradientLearningRate({ hypergradientBeta, weightDecay, direction: 'direction' }),
    update(ops, { gradient, parameters, state, learningRate: override }) {
      const lr = override ?? state.learningRate;
      const t = state.step + 1;
      const { m = [], v = [] } = state.slots;
      const input = { gradient, parameters, m, v, step: t, learningRate: lr };
      const next = adamStep(ops, input, { beta1, beta2, epsilon, weightDecay, keepDirections: true });
      return {
        parameters: next.parameters,
        state: { step: t, learningRate: lr, slots: { m: next.m, v: next.v, direction: next.directions } },
      };
    },
  };
}
