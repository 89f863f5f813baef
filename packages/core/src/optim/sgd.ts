/**
 * Plain stochastic gradient descent: θ ← θ − η·(g + λθ).
 */
import { checker } from '../config/validate';
import { rejectUnknownOptions } from './known-options';
import type { Optimizer } from './optimizer';
import { decayedGradient } from './optimizer';

export interface SgdOptions {
  /** η > 0 */
  readonly learningRate: number;
  /** Coupled L2 weight decay λ ≥ 0 (default 0). */
  readonly weightDecay?: number;
}

/**
 * @example
 * const opt = sgd({ learningRate: 0.1 });
 * // with θ = [1], g = [2]: opt.update(...) gives θ = [0.8]
 */
export function sgd(options: SgdOptions): Optimizer {
  const c = checker('sgd');
  rejectUnknownOptions(c, options, ['learningRate', 'weightDecay']);
  const learningRate = c.number('learningRate', options?.learningRate, { gt: 0 });
  const weightDecay = c.number('weightDecay', options.weightDecay ?? 0, { gte: 0 });
  return {
    name: 'sgd',
    config: { learningRate, weightDecay },
    learningRate,
    fusedSgd: { weightDecay },
    init: () => ({ step: 0, learningRate, slots: {} }),
    update(ops, { gradient, parameters, state, learningRate: override }) {
      const lr = override ?? learningRate;
      const next = parameters.map((theta, i) => {
        const g = decayedGradient(ops, gradient[i] as typeof theta, theta, weightDecay);
        const out = ops.axpby(1, theta, -lr, g.value);
        if (g.owned) ops.dispose(g.value);
        return out;
      });
      return { parameters: next, state: { step: state.step + 1, learningRate: lr, slots: {} } };
    },
  };
}
