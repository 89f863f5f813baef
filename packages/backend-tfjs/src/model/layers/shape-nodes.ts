/**
 * The layers without parameters: max and average pooling with TensorFlow's padding ('same'
 * windows that overhang the image average over their real inputs only), global average
 * pooling, flatten, and residual blocks (block(x) + shortcut(x); the gradient flows into both
 * paths and adds up at the input). Max pooling's gradient is tfjs's MaxPoolGrad kernel, run
 * through `tf.engine().runKernel` (tfjs-core alone registers no gradient functions for
 * `tf.grad`). Average pooling's is written out: dy divided by each window's count of real
 * inputs, spread back over the window by a transposed convolution with a ones kernel (tfjs's
 * AvgPoolGrad divides by the full window size, which disagrees with its own 'same' forward).
 * global average pooling, flatten, and residual blocks (block(x) + shortcut(x); the gradient
 * flows into both paths and adds up at the input).
 */
import { type Pool2dLayer, windowOutput } from '@abs/core';
import type { Tensor, Tensor4D, TensorFlow } from '../../tfjs-namespace';
import { chainForward, type DeviceNode } from './node';

export function pool2dNode(tf: TensorFlow, spec: Pool2dLayer): DeviceNode {
  const max = spec.kind === 'maxPool2d';
  const attrs = { filterSize: [...spec.poolSize], strides: [...spec.strides], pad: spec.padding };
  const [kh, kw] = spec.poolSize;
  const strides = spec.strides as [number, number];
  /** Σ over the windows covering each input of dy/count (the adjoint of average pooling). */
  const spread = (x: Tensor, dy: Tensor) => {
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const [, rows, cols] = dy.shape as [number, number, number, number];
    const counts = tf.tensor4d(windowCounts(h, w, rows, cols, spec), [1, rows, cols, 1]);
    const perChannel = tf.reshape(tf.transpose(tf.div(dy, counts), [0, 3, 1, 2]), [n * c, rows, cols, 1]);
    const ones = tf.ones([kh, kw, 1, 1]) as Tensor4D;
    const dx = tf.conv2dTranspose(perChannel as Tensor4D, ones, [n * c, h, w, 1], strides, spec.padding);
    return tf.transpose(tf.reshape(dx, [n, c, h, w]), [0, 2, 3, 1]);
  };
  return {
    forward(x) {
      const y = (max ? tf.maxPool : tf.avgPool)(
        x as Tensor4D,
        spec.poolSize as [number, number],
        spec.strides as [number, number],
        spec.padding,
      );
      return {
        y,
        backward(dy, wantInput) {
          if (!wantInput) return undefined;
          if (!max) return spread(x, dy);
          return tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, attrs) as Tensor;
        },
      };
    },
  };
}

/** Real inputs under each output window, row-major rows × cols. */
function windowCounts(h: number, w: number, rows: number, cols: number, spec: Pool2dLayer): Float32Array {
  const [kh, kw] = spec.poolSize;
  const [sh, sw] = spec.strides;
  const top = windowOutput(h, kh, sh, spec.padding).before;
  const left = windowOutput(w, kw, sw, spec.padding).before;
  const span = (start: number, window: number, size: number) => Math.min(start + window, size) - Math.max(start, 0);
  return Float32Array.from({ length: rows * cols }, (_, o) => {
    const [oy, ox] = [Math.floor(o / cols), o % cols];
    return span(oy * sh - top, kh, h) * span(ox * sw - left, kw, w);
  });
}

export function globalAvgPool2dNode(tf: TensorFlow): DeviceNode {
  return {
    forward(x) {
      const [n, h, w, c] = x.shape as [number, number, number, number];
      return {
        y: tf.mean(x, [1, 2]),
        backward: (dy, wantInput) =>
          wantInput ? tf.broadcastTo(tf.reshape(tf.div(dy, h * w), [n, 1, 1, c]), [n, h, w, c]) : undefined,
      };
    },
  };
}

export function flattenNode(tf: TensorFlow): DeviceNode {
  return {
    forward(x) {
      return {
        y: tf.reshape(x, [x.shape[0] as number, -1]),
        backward: (dy, wantInput) => (wantInput ? tf.reshape(dy, x.shape) : undefined),
      };
    },
  };
}

export function residualNode(
  tf: TensorFlow,
  block: readonly DeviceNode[],
  shortcut: readonly DeviceNode[],
): DeviceNode {
  return {
    forward(x, state) {
      const main = chainForward(block, x, state);
      const side = chainForward(shortcut, x, state);
      return {
        y: tf.add(main.y, side.y),
        backward(dy) {
          // Both paths reach parameters (or the input), so both always run backward.
          return tf.add(main.backward(dy, true) as Tensor, side.backward(dy, true) as Tensor);
        },
      };
    },
  };
}
