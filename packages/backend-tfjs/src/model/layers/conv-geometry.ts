/**
 * A convolution as patches times its kernel: z_ip = a_ipᵀW + b, with a_ip the K = kh·kw·c input
 * values under output position p (zero outside the image, TensorFlow's padding). `patches`
 * gathers them on the device with one pad and kh·kw strided slices (the column order (ky, kx,
 * channel) is the row order of the HWIO kernel reshaped to K × F), so per-example statistics
 * need no kernel that tfjs lacks on some backend (tfjs-wasm has no Conv2DBackpropFilter).
 */
import { type Conv2dLayer, type LayerInfo, windowOutput } from '@abs/core';
import type { Tensor, Tensor3D, Tensor4D, TensorFlow } from '../../tfjs-namespace';

export interface LinearGeometry {
  /** Output positions per example (1 for dense). */
  readonly positions: number;
  /** Values per patch (dense: inputs; conv: kh·kw·inChannels). */
  readonly width: number;
  /** Output channels F. */
  readonly channels: number;
  readonly bias: boolean;
  readonly conv?: {
    readonly kernel: readonly [number, number];
    readonly strides: readonly [number, number];
    readonly padding: 'same' | 'valid';
    /** [[top, bottom], [left, right]] as TensorFlow pads. */
    readonly pads: readonly [readonly [number, number], readonly [number, number]];
    readonly output: readonly [number, number];
  };
}

function pads(input: number, window: number, stride: number, padding: 'same' | 'valid'): [number, number, number] {
  const { output, before } = windowOutput(input, window, stride, padding);
  const total = padding === 'same' ? Math.max((output - 1) * stride + window - input, 0) : 0;
  return [before, total - before, output];
}

export function linearGeometry(info: LayerInfo): LinearGeometry {
  const bias = info.parameters.length > 1;
  if (info.kind !== 'conv2d') {
    return { positions: 1, width: info.inputSize, channels: info.outputSize, bias };
  }
  const spec = info.spec as Conv2dLayer;
  const [h, w, c] = info.inputShape as [number, number, number];
  const [kh, kw] = spec.kernelSize;
  const [top, bottom, rows] = pads(h, kh, spec.strides[0], spec.padding);
  const [left, right, cols] = pads(w, kw, spec.strides[1], spec.padding);
  return {
    positions: rows * cols,
    width: kh * kw * c,
    channels: spec.filters,
    bias,
    conv: {
      kernel: [kh, kw],
      strides: spec.strides,
      padding: spec.padding,
      pads: [
        [top, bottom],
        [left, right],
      ],
      output: [rows, cols],
    },
  };
}

/** Patches of a batch: `x` n × h × w × c (or n × K for dense) → n × P × K. Call inside tidy. */
export function patches(tf: TensorFlow, g: LinearGeometry, x: Tensor): Tensor3D {
  const n = x.shape[0] as number;
  if (!g.conv) return tf.reshape(x, [n, 1, g.width]);
  const [kh, kw] = g.conv.kernel;
  const [sh, sw] = g.conv.strides;
  const [rows, cols] = g.conv.output;
  const c = x.shape[3] as number;
  const padded = padImage(tf, x, g.conv.pads);
  const slices: Tensor4D[] = [];
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      const end = [n, ky + (rows - 1) * sh + 1, kx + (cols - 1) * sw + 1, c];
      slices.push(tf.stridedSlice(padded, [0, ky, kx, 0], end, [1, sh, sw, 1]) as Tensor4D);
    }
  }
  const stacked = slices.length === 1 ? (slices[0] as Tensor4D) : tf.concat(slices, 3);
  return tf.reshape(stacked, [n, rows * cols, g.width]);
}

/** `x` (NHWC) with zero rows and columns added as `pads` says, or `x` itself when there are none. */
function padImage(tf: TensorFlow, x: Tensor, pads: NonNullable<LinearGeometry['conv']>['pads']): Tensor {
  const [[top, bottom], [left, right]] = pads;
  if (top + bottom + left + right === 0) return x;
  return tf.pad(x, [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ]);
}

/** The padded input with channels as the batch (C × H × W × n) and Δ̃ as a filter (rows × cols × n × F). */
function asConvolution(tf: TensorFlow, g: LinearGeometry, x: Tensor, delta: Tensor): [Tensor4D, Tensor4D] {
  const conv = g.conv as NonNullable<LinearGeometry['conv']>;
  const [kh, kw] = conv.kernel;
  const [sh, sw] = conv.strides;
  const [rows, cols] = conv.output;
  const [height, width] = [(rows - 1) * sh + kh, (cols - 1) * sw + kw];
  let padded = padImage(tf, x, conv.pads);
  if (padded.shape[1] !== height || padded.shape[2] !== width) padded = tf.slice(padded, 0, [-1, height, width, -1]);
  return [tf.transpose(padded, [3, 1, 2, 0]) as Tensor4D, tf.transpose(delta, [1, 2, 0, 3]) as Tensor4D];
}

/**
 * Σ over examples and positions of a_ip δ_ipᵀ, in the kernel's shape, as one convolution of the
 * input (channels as the batch) by Δ̃ (dilated by the stride): C × kh × kw × F, transposed to
 * the kernel's layout. It runs on the backend's conv kernel, without patches (tfjs-wasm has no
 * Conv2DBackpropFilter). Call inside tidy.
 */
export function kernelGradient(tf: TensorFlow, g: LinearGeometry, x: Tensor, delta: Tensor): Tensor {
  const [images, filter] = asConvolution(tf, g, x, delta);
  const strides = g.conv?.strides as [number, number];
  return tf.transpose(tf.conv2d(images, filter, 1, 'valid', 'NHWC', strides), [1, 2, 0, 3]);
}

/**
 * Every example's kernel gradient G_i, as C × kh × kw × n × F: the same convolution made
 * depthwise, so example i's input channel meets only its own Δ̃_i (on tfjs-wasm about 6× faster
 * than a batched product of patches). Call inside tidy.
 */
export function exampleKernelGradients(tf: TensorFlow, g: LinearGeometry, x: Tensor, delta: Tensor): Tensor {
  const [images, filter] = asConvolution(tf, g, x, delta);
  const conv = g.conv as NonNullable<LinearGeometry['conv']>;
  const out = tf.depthwiseConv2d(images, filter, 1, 'valid', 'NHWC', conv.strides as [number, number]);
  const [c, kh, kw] = out.shape;
  return tf.reshape(out, [c, kh, kw, x.shape[0] as number, g.channels]);
}
