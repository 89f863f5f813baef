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
  const [top, left, bottom, right] = geometry.pads;
  const [rows, cols] = geometry.output;
  const [kh, kw] = geometry.kernel;
  const [sh, sw] = geometry.strides;
  let nhwc = g.node('Transpose', [a], { perm: attr.ints([0, 2, 3, 1]) });
  if (top + left + bottom + right > 0) {
    nhwc = g.node('Pad', [nhwc, g.int64s([0, top, left, 0, 0, bottom, right, 0])]);
  }
  const axes = g.int64s([1, 2]);
  const steps = g.int64s([sh, sw]);
  const stacked = g.int64s([1, -1, c]);
  const shifted: string[] = [];
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      const starts = g.int64s([ky, kx]);
      const ends = g.int64s([ky + (rows - 1) * sh + 1, kx + (cols - 1) * sw + 1]);
      shifted.push(g.node('Reshape', [g.node('Slice', [nhwc, starts, ends, axes, steps]), stacked]));
    }
  }
  return shifted;
}

/** A conv kernel's HWIO shape. */
export const weightShape = (info: LayerInfo) => [
  ...(info.spec as Conv2dLayer).kernelSize,
  info.inputShape[2] as number,
  info.outputShape[2] as number,
];
