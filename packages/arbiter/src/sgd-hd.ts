/**
 * SGD-HD (Baydin et al. 2018, Algorithm 2 with heavy-ball momentum) as used by Arbiter's
 * third mode (README “Modes”): with g_t = ∇f(θ) + λθ and the previous update
 * direction u_{t−1} = buf (θ ← θ − η·buf),
 *   η ← η + β_hd·⟨g_t, buf⟩;  buf ← μ·buf + g_t (buf = g_t on the first step);  θ ← θ − η·buf.
 */
import { checker, decayedGradient } from '@abs/core';
import { type HypergradientOptimizer, hypergradientLearningRate } from './hypergradient-optimizer';

export interface SgdHdOptions {
  /** Initial learning rate η_0 > 0. */
  readonly learningRate: number;
  /** β_hd > 0 (the `.py` default is 1e-4; the runs used 1e-3). */
  readonly hypergradientBeta: number;
  /** μ in [0, 1) (default 0.9; 0 gives plain SGD-HD). */
  readonly momentum?: number;
  /** Coupled L2 weight decay λ ≥ 0 (default 0). */
  readonly weightDecay?: number;
}

/**
 * @example
 * const opt = sgdHd({ learningRate: 0.1, hypergradientBeta: 1e-3 });
 * // g = [1, 2], previous direction u = [0.5, −1]: adaptLearningRate → 0.1 + 1e-3·(−1.5) = 0.0985 (A6)
 * @see README “Modes”
 */
export function sgdHd(options: SgdHdOptions): HypergradientOptimizer {
  const c = checker('sgdHd');
  const learningRate = c.number('learningRate', options?.learningRate, { gt: 0 });
  const hypergradientBeta = c.number('hypergradientBeta', options.hypergradientBeta, { gt: 0 });
  const mu = c.number('momentum', options.momentum ?? 0.9, { gte: 0, lt: 1 });
  const weightDecay = c.number('weightDecay', options.weightDecay ?? 0, { gte: 0 });
  return {
    name: 'sgd-hd',
    config: { learningRate, hypergradientBeta, momentum: mu, weightDecay },
    learningRate,
    hypergradientBeta,
    init: (ops, parameters) => ({
      step: 0,
      learningRate,
      slots: { momentum: parameters.map((p) => ops.zerosLike(p)) },
    }),
    adaptLearningRate: hypergradientLearningRate({ hypergradientBeta, weightDecay, direction: 'momentum' }),
    update(ops, { gradient, parameters, state, learningRate: override }) {
      const lr = override ?? state.learningRate;
      const buffers = state.slots.momentum ?? [];
      const nextBuffers: (typeof parameters)[number][] = [];
      const next = parameters.map((theta, i) => {
        const g = decayedGradient(ops, gradient[i] as typeof theta, theta, weightDecay);
        const buf = ops.axpby(mu, buffers[i] as typeof theta, 1, g.value);
        if (g.owned) ops.dispose(g.value);
        nextBuffers.push(buf);
        return ops.axpby(1, theta, -lr, buf);
      });
      return { parameters: next, state: { step: state.step + 1, learningRate: lr, slots: { momentum: nextBuffers } } };
    },
  };
}
