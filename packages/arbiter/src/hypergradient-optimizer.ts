/**
 * Hypergradient-descent optimisers (Baydin et al. 2018, "Online Learning Rate Adaptation
 * with Hypergradient Descent", ICLR): before each update the learning rate moves along
 * ∂f(θ_t)/∂η = −⟨g_t, u_{t−1}⟩ for θ_t = θ_{t−1} − η·u_{t−1}, i.e.
 *   η_t = η_{t−1} + β_hd·⟨g_t, u_{t−1}⟩   (u_0 = 0, g_t includes the weight-decay term).
 * The inner product is a reduction, which core's synchronous `Optimizer.update` cannot
 * take, so these optimisers add one async method; `update` itself is a plain core update.
 */
import { decayedGradient, dotList, type Optimizer, type OptimizerState, type TensorOps } from '@abs/core';

export interface HypergradientOptimizer extends Optimizer {
  /** β_hd, the hypergradient step size. */
  readonly hypergradientBeta: number;
  /**
   * η_t = η_{t−1} + β_hd·⟨g_t, u_{t−1}⟩, where η_{t−1} is `state.learningRate`. Pass the
   * result to `update` as `learningRate`; without it `update` keeps `state.learningRate`.
   */
  adaptLearningRate<T>(
    ops: TensorOps<T>,
    input: { readonly gradient: readonly T[]; readonly parameters: readonly T[]; readonly state: OptimizerState<T> },
  ): Promise<number>;
}

/**
 * True for optimisers made by `sgdHd` or `adamHd`.
 * @example
 * isHypergradientOptimizer(sgdHd({ learningRate: 0.1, hypergradientBeta: 1e-3 })); // true
 */
export const isHypergradientOptimizer = (optimizer: Optimizer): optimizer is HypergradientOptimizer =>
  typeof (optimizer as Partial<HypergradientOptimizer>).adaptLearningRate === 'function';

/**
 * `adaptLearningRate` of both optimisers: η + β_hd·⟨g + λθ, u⟩ with u the state's slot
 * `direction` (the last step taken; u_0 = 0).
 */
export function hypergradientLearningRate(options: {
  readonly hypergradientBeta: number;
  readonly weightDecay: number;
  readonly direction: string;
}): HypergradientOptimizer['adaptLearningRate'] {
  return async (ops, { gradient, parameters, state }) => {
    const decayed = parameters.map((theta, i) =>
      decayedGradient(ops, gradient[i] as typeof theta, theta, options.weightDecay),
    );
    const inner = await dotList(
      ops,
      decayed.map((g) => g.value),
      state.slots[options.direction] ?? [],
    );
    for (const g of decayed) if (g.owned) ops.dispose(g.value);
    return state.learningRate + options.hypergradientBeta * inner;
  };
}
