/**
 * SGD with momentum (PyTorch convention, no dampening):
 *   buf ← μ·buf + g                       (buf starts at 0, so the first buf is g)
 *   heavy-ball: θ ← θ − η·buf
 *   Nesterov:   θ ← θ − η·(g + μ·buf)
 * with g including coupled L2 weight decay λθ.
 */
import { checker } from '../config/validate';
import { rejectUnknownOptions } from './known-options';
import type { Optimizer } from './optimizer';
import { decayedGradient } from './optimizer';

export interface MomentumOptions {
  readonly learningRate: number;
  /** μ in [0, 1) (default 0.9). */
  readonly momentum?: number;
  readonly nesterov?: boolean;
  readonly weightDecay?: number;
}

/**
 * @example
 * const opt = momentum({ learningRate: 0.1, momentum: 0.9 });
 * // θ = [1], g = [1] twice: buf = 1 then 1.9; θ = 0.9 then 0.71
 */
export function momentum(options: MomentumOptions): Optimizer {
  const c = checker('momentum');
  rejectUnknownOptions(c, options, ['learningRate', 'momentum', 'nesterov', 'weightDecay']);
  const learningRate = c.number('learningRate', options?.learningRate, { gt: 0 });
  const mu = c.number('momentum', options.momentum ?? 0.9, { gte: 0, lt: 1 });
  const nesterov = c.boolean('nesterov', options.nesterov ?? false);
  const weightDecay = c.number('weightDecay', options.weightDecay ?? 0, { gte: 0 });
  return {
    name: 'momentum',
    config: { learningRate, momentum: mu, nesterov, weightDecay },
    learningRate,
    init: (ops, parameters) => ({
      step: 0,
      learningRate,
      slots: { momentum: parameters.map((p) => ops.zerosLike(p)) },
    }),
    update(ops, { gradient, parameters, state, learningRate: override }) {
      const lr = override ?? learningRate;
      const buffers = state.slots.momentum ?? [];
      const nextBuffers: (typeof parameters)[number][] = [];
      const next = parameters.map((theta, i) => {
        const g = decayedGradient(ops, gradient[i] as typeof theta, theta, weightDecay);
        const buf = ops.axpby(mu, buffers[i] as typeof theta, 1, g.value);
        nextBuffers.push(buf);
        let out: typeof theta;
        if (nesterov) {
          const look = ops.axpby(1, g.value, mu, buf);
          out = ops.axpby(1, theta, -lr, look);
          ops.dispose(look);
        } else {
          out = ops.axpby(1, theta, -lr, buf);
        }
        if (g.owned) ops.dispose(g.value);
        return out;
      });
      return {
        parameters: next,
        state: { step: state.step + 1, learningRate: lr, slots: { momentum: nextBuffers } },
      };
    },
  };
}
