/**
 * Batch normalisation over the last axis, written out in tfjs ops. Training passes use the
 * batch's mean μ and biased variance σ² over every example and position (m values per channel)
 * and, when the pass updates running averages, stage r ← momentum·r + (1 − momentum)·batch value
 * (committed by the model only after a pass with a finite loss); inference uses the running
 * averages. With x̂ = (x − μ)/s, s = √(σ² + ε), y = γ·x̂ + β and
 *   dx = γ/(m·s)·(m·dy − Σ dy − x̂·Σ dy∘x̂)      (sums per channel)
 * The recorded input is x̂, so the γ and β gradients are Σ Δ̃∘x̂ and Σ Δ̃.
 */
import type { BatchNormLayer, LayerInfo } from '@abs/core';
import type { Tensor, TensorFlow } from '../../tfjs-namespace';
import { type DeviceNode, layerParameters } from './node';

export function batchNormNode(tf: TensorFlow, info: LayerInfo, buffers: readonly [number, number]): DeviceNode {
  const { momentum, epsilon } = info.spec as BatchNormLayer;
  const axes = info.inputShape.map((_, i) => i); // every axis but the channels (batch is axis 0)
  return {
    forward(x, state) {
      const [gamma, beta] = layerParameters(state, info) as [Tensor, Tensor];
      let mean: Tensor;
      let variance: Tensor;
      if (state.mode === 'train') {
        mean = tf.mean(x, axes);
        variance = tf.mean(tf.square(tf.sub(x, mean)), axes);
        if (state.stage) {
          const blend = (running: Tensor, batch: Tensor) =>
            tf.add(tf.mul(running, momentum), tf.mul(batch, 1 - momentum));
          state.stage(buffers[0], blend(state.buffers[buffers[0]] as Tensor, mean));
          state.stage(buffers[1], blend(state.buffers[buffers[1]] as Tensor, variance));
        }
      } else {
        mean = state.buffers[buffers[0]] as Tensor;
        variance = state.buffers[buffers[1]] as Tensor;
      }
      const scale = tf.sqrt(tf.add(variance, epsilon));
      const xhat = tf.div(tf.sub(x, mean), scale);
      const y = tf.add(tf.mul(xhat, gamma), beta);
      return {
        y,
        backward(dy, wantInput) {
          state.record(info.index, xhat, dy);
          if (!wantInput) return undefined;
          const m = x.size / (x.shape.at(-1) as number);
          const sum = tf.sum(dy, axes);
          const sumXhat = tf.sum(tf.mul(dy, xhat), axes);
          const inner = tf.sub(tf.sub(tf.mul(dy, m), sum), tf.mul(xhat, sumXhat));
          return tf.mul(inner, tf.div(gamma, tf.mul(scale, m)));
        },
      };
    },
  };
}

/** Σ Δ̃∘x̂ and Σ Δ̃ per channel: the γ and β gradients. Call inside tidy. */
export function batchNormGradient(tf: TensorFlow, xhat: Tensor, delta: Tensor): [Tensor, Tensor] {
  const axes = xhat.shape.slice(0, -1).map((_, i) => i);
  return [tf.sum(tf.mul(delta, xhat), axes), tf.sum(delta, axes)];
}
