/**
 * Names of graph inputs and outputs, shared by the graph generators and by the code that
 * feeds sessions and reads their results, so both sides agree by construction.
 */

/** The symbolic batch dimension of every generated graph. */
export const BATCH = 'batch';

export const names = {
  /** Input: the activations entering the first layer run (batch features or replaced features). */
  input: 'x',
  /** Input: per-example targets (one-hot labels or regression targets), batch × outputs. */
  target: 'target',
  /** Input: upstream gradient ∂/∂outputs, batch × outputs. */
  upstream: 'upstream',
  /** Input scalars [1]: 1/n, and the rescalings of the statistics (see training-graph.ts). */
  batchScale: 'batch_scale',
  momentScale: 'moment_scale',
  gramScale: 'gram_scale',
  featureScale: 'feature_scale',
  /** Input: a row of n ones, [1, batch]; column sums are the product ones·D (faster than ReduceSum). */
  ones: 'ones',
  parameter: (p: number) => `param_${p}`,
  /** Inputs [1] of an SGD-step graph: the learning rate η and the factor 1 − ηλ on θ. */
  stepRate: 'step_rate',
  stepKeep: 'step_keep',
  /** Input [1] of a normalised SGD-step graph: ε, the divisor where ‖∇‖ is 0. */
  stepEpsilon: 'step_epsilon',
  /** Input: per-example weights of layer l, batch × 1. */
  weights: (l: number) => `weights_${l}`,
  /** Output: per-example loss, [batch]. */
  loss: 'loss',
  outputs: 'outputs',
  features: 'features',
  featureGradient: 'feature_gradient',
  /** Outputs of parameter p (bias-shaped ones come out as [1, out]). */
  gradient: (p: number) => `gradient_${p}`,
  moment: (p: number) => `moment_${p}`,
  weighted: (p: number) => `weighted_${p}`,
  gram: (l: number) => `gram_${l}`,
  /** Output [batch]: ‖g_i‖² of parameter p's part of each example's gradient. */
  exampleNorm: (p: number) => `example_norm_${p}`,
  /** Outputs of an SGD-step graph: parameter p after the step, in its own shape, and ‖∇‖² ([]). */
  updated: (p: number) => `updated_${p}`,
  gradientNormSquared: 'gradient_norm_squared',
  /** Output [1] of an SGD-step graph asked for it: ξ = tr Σ at the parameters before the step. */
  gradientVariance: 'gradient_variance',
  /** Output []: 0 when every parameter after the step is finite, NaN otherwise. */
  updatedCheck: 'updated_check',
  /** Output [channels]: the batch's value (mean or biased variance) of buffer b's statistic. */
  batchStatistic: (b: number) => `batch_statistic_${b}`,
  /**
   * Outputs kept for the weighted-gradient graph: layer l's input activations and output
   * deltas, in the graph's internal layout (images NCHW).
   */
  activation: (l: number) => `activation_${l}`,
  delta: (l: number) => `delta_${l}`,
} as const;
