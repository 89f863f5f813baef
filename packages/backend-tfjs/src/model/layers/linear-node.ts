/**
 * Dense and conv2d nodes, each with the activation that follows it in the spec (fused into the
 * product where tfjs fuses it: relu and linear). Forward z = A·W + b (dense) or conv2d(x, W) + b
 * and a = f(z); backward Δ̃_z = Δ̃_a ∘ f′, recorded with the input for the statistics, then
 * Δ̃_z·Wᵀ (dense) or the transposed convolution of Δ̃_z (conv2d) for the input.
 */
import type { Activation, Conv2dLayer, LayerInfo } from '@abs/core';
import type { Tensor, Tensor1D, Tensor2D, Tensor4D } from '../../tfjs-namespace';
import { linearGeometry } from './conv-geometry';
import { activate, activationDerivative, type DeviceNode, layerParameters, type NodeContext } from './node';

const fusable = (activation: Activation | undefined) =>
  activation === undefined || activation === 'identity' || activation === 'relu';

export function linearNode(context: NodeContext, info: LayerInfo, activation: Activation | undefined): DeviceNode {
  const { tf, math } = context;
  const fused = fusable(activation) ? activation : undefined;
  const after = fusable(activation) ? undefined : activation;
  const spec = info.kind === 'conv2d' ? (info.spec as Conv2dLayer) : undefined;
  const geometry = spec ? linearGeometry(info).conv : undefined;
  const flippedPadding = geometry?.strides.every((s) => s === 1)
    ? ([
        [0, 0],
        [geometry.kernel[0] - 1 - geometry.pads[0][0], geometry.kernel[0] - 1 - geometry.pads[0][1]],
        [geometry.kernel[1] - 1 - geometry.pads[1][0], geometry.kernel[1] - 1 - geometry.pads[1][1]],
        [0, 0],
      ] as [[number, number], [number, number], [number, number], [number, number]])
    : undefined;
  return {
    forward(x, state) {
      const [w, b] = layerParameters(state, info);
      let z: Tensor;
      if (spec) {
        z = tf.fused.conv2d({
          x: x as Tensor4D,
          filter: w as Tensor4D,
          strides: spec.strides as [number, number],
          pad: spec.padding,
          ...(b ? { bias: b } : {}),
          activation: fused === 'relu' ? 'relu' : 'linear',
        });
      } else {
        z = math.layer(x as Tensor2D, w as Tensor2D, b as Tensor1D | undefined, fused === 'relu' ? 'relu' : undefined);
      }
      const y = after ? activate(tf, after, z) : z;
      return {
        y,
        backward(dy, wantInput) {
          const delta = activation ? activationDerivative(tf, activation, dy, y) : dy;
          state.record(info.index, x, delta);
          if (!wantInput) return undefined;
          if (!spec) return math.productTB(delta as Tensor2D, w as Tensor2D);
          if (flippedPadding) {
            // Stride 1: the transposed convolution is a convolution with the kernel rotated by
            // 180° and its channels swapped, which runs on the fast conv kernel (tfjs-wasm's
            // Conv2DBackpropInput is a plain loop, ~8× slower on the CABS net).
            const flipped = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as Tensor4D;
            return tf.conv2d(delta as Tensor4D, flipped, 1, flippedPadding);
          }
          return tf.conv2dTranspose(
            delta as Tensor4D,
            w as Tensor4D,
            x.shape as [number, number, number, number],
            spec.strides as [number, number],
            spec.padding,
          );
        },
      };
    },
  };
}
