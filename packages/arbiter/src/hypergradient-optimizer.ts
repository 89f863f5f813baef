/**
 * Hypergradient-descent optimisers (Baydin et al. 2018, "Online Learning Rate Adaptation
 * with Hypergradient Descent", ICLR): before each update the learning rate moves along
 * ∂f(θ_t)/∂η = −⟨g_t, u_{t−1}⟩ for θ_t = θ_{t−1} − η·u_{t−1}, i.e.
 *   η_t = η_{t−1} + β_hd·⟨g_t, u_{t−1}⟩   (u_0 = 0, g_t includes the weight-decay term).
 * The inner product is a reduction, which core's synchronous `Optimizer.update` cannot
 * take, so these optimisers add one async method; `update` itself is a plain core update.
 */
import type { Optimizer, OptimizerState, TensorOps } from '@abs/core';

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
