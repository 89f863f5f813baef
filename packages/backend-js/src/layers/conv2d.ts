/**
 * 2-D convolution over NHWC images with a `[kh, kw, inChannels, filters]` kernel, written as
 * patches (im2col) times the kernel: z_i = A_i·W + b with A_i the P × K matrix of example i's
 * input patches (P = output positions, K = kh·kw·inChannels, zero outside the image). The
 * backward pass scatters δ_i·Wᵀ back onto the image (col2im). Statistics use `PatchView`.
 */
import { type Conv2dLayer, type LayerInfo, windowOutput } from '@abs/core';
import { matmul, matmulBt } from '../kernels';
import type { PatchView } from './linear-statistics';
import type { JsNode, Pass } from './node';

interface Geometry {
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly top: number;
  readonly left: number;
  readonly rows: number;
  readonly cols: number;
}

function geometry(info: LayerInfo): Geometry {
  const spec = info.spec as Conv2dLayer;
  const [h, w, c] = info.inputShape as [number, number, number];
  const [kh, kw] = spec.kernelSize;
  const [sh, sw] = spec.strides;
  const y = windowOutput(h, kh, sh, spec.padding);
  const x = windowOutput(w, kw, sw, spec.padding);
  return { h, w, c, kh, kw, sh, sw, top: y.before, left: x.before, rows: y.output, cols: x.output };
}

/**
 * Visits every (patch, image) pair of offsets of example i: patch row p = (oy, ox), column
 * (ky·kw + kx)·c, and the image cell under it (before the channel). Cells in the padding are skipped.
 */
function forEachTap(g: Geometry, i: number, visit: (patch: number, image: number) => void): void {
  const K = g.kh * g.kw * g.c;
  const base = i * g.h * g.w * g.c;
  for (let oy = 0; oy < g.rows; oy++) {
    for (let ox = 0; ox < g.cols; ox++) {
      const row = (oy * g.cols + ox) * K;
      for (let ky = 0; ky < g.kh; ky++) {
        const iy = oy * g.sh + ky - g.top;
        if (iy < 0 || iy >= g.h) continue;
        for (let kx = 0; kx < g.kw; kx++) {
          const ix = ox * g.sw + kx - g.left;
          if (ix >= 0 && ix < g.w) visit(row + (ky * g.kw + kx) * g.c, base + (iy * g.w + ix) * g.c);
        }
      }
    }
  }
}

/** Example i's patches, P × K (zero in the padding). */
function im2col(g: Geometry, x: Float64Array, i: number): Float64Array {
  const out = new Float64Array(g.rows * g.cols * g.kh * g.kw * g.c);
  forEachTap(g, i, (patch, image) => {
    for (let ch = 0; ch < g.c; ch++) out[patch + ch] = x[image + ch] as number;
  });
  return out;
}

/** Adds the P × K patch gradients of example i onto its image gradient (the adjoint of im2col). */
function col2im(g: Geometry, patches: Float64Array, dx: Float64Array, i: number): void {
  forEachTap(g, i, (patch, image) => {
    for (let ch = 0; ch < g.c; ch++) dx[image + ch] = (dx[image + ch] as number) + (patches[patch + ch] as number);
  });
}

export function conv2dNode(info: LayerInfo): JsNode {
  const g = geometry(info);
  const [w, b] = info.parameters;
  const P = g.rows * g.cols;
  const K = g.kh * g.kw * g.c;
  const F = info.outputShape[2] as number;
  return {
    inputShape: info.inputShape,
    outputShape: info.outputShape,
    forward(x, n, pass: Pass) {
      const kernel = (pass.params[w as number] as { data: Float32Array }).data;
      const bias = b === undefined ? undefined : (pass.params[b] as { data: Float32Array }).data;
      const y = new Float64Array(n * P * F);
      for (let i = 0; i < n; i++) {
        const z = matmul(im2col(g, x, i), kernel, P, K, F);
        if (bias) for (let j = 0; j < P * F; j++) z[j] = (z[j] as number) + (bias[j % F] as number);
        y.set(z, i * P * F);
      }
      return {
        y,
        backward(dy, wantInput) {
          pass.record(info.index, x, dy);
          if (!wantInput) return undefined;
          const dx = new Float64Array(x.length);
          for (let i = 0; i < n; i++) {
            const dPatches = matmulBt(dy.subarray(i * P * F, (i + 1) * P * F), kernel, P, F, K);
            col2im(g, dPatches, dx, i);
          }
          return dx;
        },
      };
    },
  };
}

/** Patches are rebuilt per example on demand; a view keeps the last two examples' patches. */
export function conv2dView(info: LayerInfo, input: Float64Array, delta: Float64Array, n: number): PatchView {
  const g = geometry(info);
  const P = g.rows * g.cols;
  const F = info.outputShape[2] as number;
  const cache = new Map<number, Float64Array>();
  return {
    n,
    positions: P,
    width: g.kh * g.kw * g.c,
    channels: F,
    bias: info.parameters.length > 1,
    patches(i) {
      let patches = cache.get(i);
      if (!patches) {
        if (cache.size === 2) cache.delete(cache.keys().next().value as number);
        patches = im2col(g, input, i);
        cache.set(i, patches);
      }
      return patches;
    },
    delta: (i) => delta.subarray(i * P * F, (i + 1) * P * F),
  };
}
