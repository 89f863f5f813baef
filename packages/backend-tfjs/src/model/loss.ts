/**
 * Per-example losses and output gradients of each example's own loss (no 1/n), for outputs
 * z (n × k) and targets t (n × k, one-hot for classification), as tfjs ops:
 *   softmax cross-entropy  ℓ_i = −Σ_j t_ij log softmax(z_i)_j    δ_i = softmax(z_i) − t_i
 *   mse                    ℓ_i = ½‖z_i − t_i‖²                    δ_i = z_i − t_i
 * Call inside `tf.tidy`.
 */
import type { Loss } from '@abs/core';
import type { Tensor1D, Tensor2D, TensorFlow } from '../tfjs-namespace';

export function lossAndDelta(
  tf: TensorFlow,
  loss: Loss,
  z: Tensor2D,
  targets: Tensor2D,
): { perExample: Tensor1D; delta: Tensor2D } {
  if (loss === 'softmax-cross-entropy') {
    const logProbabilities = tf.logSoftmax(z);
    return {
      perExample: tf.neg(tf.sum(tf.mul(logProbabilities, targets), 1)) as Tensor1D,
      delta: tf.sub(tf.exp(logProbabilities), targets) as Tensor2D,
    };
  }
  const delta = tf.sub(z, targets) as Tensor2D;
  return { perExample: tf.mul(tf.sum(tf.square(delta), 1), 0.5) as Tensor1D, delta };
}
