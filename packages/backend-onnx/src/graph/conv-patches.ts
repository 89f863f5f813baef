/**
 * A conv layer's input as the patches its kernel sees, and the kernel's shape: what the
 * gradient and the per-example statistics of a convolution multiply (layer-statistics.ts).
 */
import type { Conv2dLayer, LayerInfo } from '@abs/core';
import { attr, type GraphBuilder } from './graph-builder';
import { convGeometry } from './network';

/**
 * A conv layer's input as patches, offset-major: [kh·kw, n·P, C], entry (ky·kw + kx, (i, oy, ox),
 * c) = input (i, oy·sh + ky − top, ox·sw + kx − left, c), zero outside the image. One strided
 * `Slice` of the padded NHWC input per kernel offset, stacked along a new first axis, so every
 * copy is a contiguous block (interleaving offsets within a row copied C values at a time and
 * cost more than the convolution itself).
 */
export function convPatches(g: GraphBuilder, info: LayerInfo, a: string): string[] {
  const geometry = convGeometry(info);
  const c = info.inputShape[2] as number;
  const [kh, kw] = geometry.kernel;
  const nhwc = paddedNhwc(g, info, a);
  const stacked = g.int64s([1, -1, c]);
  const shifted: string[] = [];
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      const starts = g.int64s([ky, kx]);
      shifted.push(g.node('Reshape', [offsetSlice(g, info, nhwc, starts), stacked]));
    }
  }
  return shifted;
}

/** The layer's input NHWC with TensorFlow's padding written out (zeros). */
export function paddedNhwc(g: GraphBuilder, info: LayerInfo, a: string): string {
  const [top, left, bottom, right] = convGeometry(info).pads;
  const nhwc = g.node('Transpose', [a], { perm: attr.ints([0, 2, 3, 1]) });
  if (top + left + bottom + right === 0) return nhwc;
  return g.node('Pad', [nhwc, g.int64s([0, top, left, 0, 0, bottom, right, 0])]);
}

/** The inputs under kernel offset `starts` = [ky, kx] at every output position: [n, H', W', C]. */
export function offsetSlice(g: GraphBuilder, info: LayerInfo, nhwc: string, starts: string): string {
  const { output, strides } = convGeometry(info);
  const [rows, cols] = output;
  const [sh, sw] = strides;
  const ends = g.node('Add', [starts, g.int64s([(rows - 1) * sh + 1, (cols - 1) * sw + 1])]);
  return g.node('Slice', [nhwc, starts, ends, g.int64s([1, 2]), g.int64s([sh, sw])]);
}

/** A conv kernel's HWIO shape. */
export const weightShape = (info: LayerInfo) => [
  ...(info.spec as Conv2dLayer).kernelSize,
  info.inputShape[2] as number,
  info.outputShape[2] as number,
];

/**
 * Σ_i Σ_p a_ip d_ipᵀ in the kernel's HWIO shape as one convolution, batch and channels swapped:
 * the input as [C, n, H, W] (n channels) convolved with d as [F, n, H', W'] (the kernel: every
 * output position, dilated by the layer's strides), with the layer's pads, gives [C, F, kh, kw]
 * (sliced to kh × kw where 'valid' padding leaves rows or columns no window reaches). For layers
 * with few input channels (the GEMM is C·F wide), where one product per offset would be a
 * matrix-vector product: 0.53–0.84× of those on the CABS MNIST net's first layer (C = 1); with
 * 32 input channels 1.3–1.5× (measured single-threaded, batch 16 and 128).
 */
export function kernelGradientByConv(g: GraphBuilder, info: LayerInfo, a: string, d: string, name?: string): string {
  const geometry = convGeometry(info);
  const swap = { perm: attr.ints([1, 0, 2, 3]) };
  const [rows, cols] = geometry.output;
  let kernel = g.node('Conv', [g.node('Transpose', [a], swap), g.node('Transpose', [d], swap)], {
    kernel_shape: attr.ints([rows, cols]),
    pads: attr.ints(geometry.pads),
    dilations: attr.ints(geometry.strides),
  });
  const reach = [0, 1].map(
    (axis) =>
      (geometry.input[axis] as number) +
      (geometry.pads[axis] as number) +
      (geometry.pads[axis + 2] as number) -
      ((geometry.output[axis] as number) - 1) * (geometry.strides[axis] as number),
  );
  if (reach[0] !== geometry.kernel[0] || reach[1] !== geometry.kernel[1]) {
    kernel = g.node('Slice', [kernel, g.int64s([0, 0]), g.int64s([...geometry.kernel]), g.int64s([2, 3])]);
  }
  return g.node('Transpose', [kernel], { perm: attr.ints([2, 3, 0, 1]) }, name);
}
