/**
 * Adam (Kingma & Ba 2015, Algorithm 1) with bias correction and coupled L2 weight decay:
 *   g ← g + λθ;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
 *   θ ← θ − η · m̂ / (√v̂ + ε),  m̂ = m/(1−β1^t),  v̂ = v/(1−β2^t)
 */
import { checker } from '../config/validate';
import { rejectUnknownOptions } from './known-options';
import type { Optimizer } from './optimizer';
import { adamStep } from './scale-by-adam';

export interface AdamOptions {
  readonly learningRate?: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
  readonly weightDecay?: number;
}

/**
 * @example
 * const opt = adam({ learningRate: 1e-3 });
 * // first step moves every coordinate by ≈ η·sign(g): θ = [1], g = [5] → θ ≈ 0.999
 */
export function adam(options: AdamOptions = {}): Optimizer {
  const c = checker('adam');
  rejectUnknownOptions(c, options, ['learningRate', 'beta1', 'beta2', 'epsilon', 'weightDecay']);
  const learningRate = c.number('learningRate', options.learningRate ?? 1e-3, { gt: 0 });
  const beta1 = c.number('beta1', options.beta1 ?? 0.9, { gte: 0, lt: 1 });
  const beta2 = c.number('beta2', options.beta2 ?? 0.999, { gte: 0, lt: 1 });
  const epsilon = c.number('epsilon', options.epsilon ?? 1e-8, { gt: 0 });
  const weightDecay = c.number('weightDecay', options.weightDecay ?? 0, { gte: 0 });
  return {
    name: 'adam',
    config: { learningRate, beta1, beta2, epsilon, weightDecay },
    learningRate,
    init: (ops, parameters) => ({
      step: 0,
      learningRate,
      slots: { m: parameters.map((p) => ops.zerosLike(p)), v: parameters.map((p) => ops.zerosLike(p)) },
    }),
    update(ops, { gradient, parameters, state, learningRate: override }) {
      const lr = override ?? learningRate;
      const t = state.step + 1;
      const { m = [], v = [] } = state.slots;
      const input = { gradient, parameters, m, v, step: t, learningRate: lr };
      const next = adamStep(ops, input, { beta1, beta2, epsilon, weightDecay });
      return { parameters: next.parameters, state: { step: t, learningRate: lr, slots: { m: next.m, v: next.v } } };
    },
  };
}
