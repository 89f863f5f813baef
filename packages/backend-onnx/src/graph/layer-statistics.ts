/**
 * Gradient and per-example statistics of one dense or conv layer, from its input A and its
 * scaled output gradients Δ̄ = s·Δ (s = 1/n for a loss head, 1 for an upstream gradient; see
 * training-graph.ts). The layer's output at position p is z_ip = a_ipᵀW + b: a dense layer has
 * one position, a convolution P (a_ip the K = kh·kw·c input patch under output position p), so
 * example i's gradient is G_i = Σ_p a_ip δ_ipᵀ (K × F) and B_i = Σ_p δ_ip (bias).
 *
 * Conv layers work on their patches (im2col): one `Gather` of the padded NHWC input gives the
 * [n·P, K] matrix whose columns are in the kernel's HWIO order, so
 *   gradient         Aᵀ·Δ̄ (one Gemm, n·P deep), bias Σ Δ̄; with fewer than 8 input channels
 *                    a convolution of the input with Δ̄ as the kernel (batch as channels,
 *                    dilation = stride) instead
 *   second moment    exact      Σ_i G_i∘G_i · c_m, from G = Δ̄_iᵀA_i for every example (one
 *                               batched MatMul, [n, F, K])
 *                    reference  (A∘A)ᵀ(Δ̄∘Δ̄) · c_m: cross-position terms dropped (CABS's code)
 *   ‖G_i‖²           the cheaper of ‖G_i‖² from G (P·K·F per example) and
 *                    Σ_{p,q}(a_ip·a_iq)(δ_ip·δ_iq) (P²·(K+F) per example)
 *   Gram ⟨G_i, G_j⟩  G_flat·G_flatᵀ + B·Bᵀ
 *   weighted         the gradient of Δ̄∘w̃
 * Dense layers use the rank-one forms: (A∘A)ᵀ(Δ̄∘Δ̄), ‖a_i‖²‖δ_i‖², (Δ̄Δ̄ᵀ)∘(AAᵀ + 1).
 * Memory: the patches hold n·P·K values, and the exact statistics of a conv layer n·K·F more
 * (every example's gradient at once); the README states the bound.
 */
import type { Conv2dLayer, LayerInfo } from '@abs/core';
import { attr, type GraphBuilder } from './graph-builder';
import { convGeometry } from './network';

/** Values by parameter index. */
export type ParameterValues = [number, string][];

const reduce = (axes: readonly number[]) => ({ axes: attr.ints(axes), keepdims: attr.int(0) });

/**
 * Output dims of a parameter-shaped statistic: dense biases come out as [1, out] (the ones·Δ̄
 * product), everything else in its parameter's shape.
 */
export function statisticDims(info: LayerInfo, p: number, shape: readonly number[]): readonly number[] {
  return info.kind === 'dense' && p === info.parameters[1] ? [1, shape[0] as number] : shape;
}

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

/** The statistics of one layer's record (input and Δ̄), sharing patches and per-example gradients. */
export class LinearStatistics {
  private readonly conv: boolean;
  private readonly positions: number;
  private readonly width: number;
  private readonly channels: number;
  private readonly channelsIn: number;
  private patchesValue: string | undefined;
  private offsetsValue: string[] | undefined;
  private examplesValue: string | undefined;
  private biasExamplesValue: string | undefined;

  constructor(
    private readonly g: GraphBuilder,
    private readonly info: LayerInfo,
    private readonly a: string,
    private readonly delta: string,
    /** The [1, batch] ones input (dense bias sums). */
    private readonly ones: () => string,
  ) {
    this.conv = info.kind === 'conv2d';
    this.channels = info.outputShape.at(-1) as number;
    const [kh, kw] = this.conv ? convGeometry(info).kernel : [1, 1];
    this.positions = info.outputSize / this.channels;
    this.channelsIn = info.inputShape.at(-1) as number;
    this.width = kh * kw * this.channelsIn;
  }

  get hasBias(): boolean {
    return this.info.parameters.length > 1;
  }

  /** True when Σ_{p,q}(a_ip·a_iq)(δ_ip·δ_iq) is cheaper than materialising G_i for ‖G_i‖². */
  get normsByPositions(): boolean {
    const { positions: P, width: K, channels: F } = this;
    return this.conv && P * P * (K + F) < P * K * F;
  }

  /** The patches of each kernel offset, [1, n·P, C] each. */
  private offsets(): string[] {
    this.offsetsValue ??= convPatches(this.g, this.info, this.a);
    return this.offsetsValue;
  }

  /** All patches, [kh·kw, n·P, C]. */
  private patches(): string {
    const offsets = this.offsets();
    this.patchesValue ??=
      offsets.length === 1 ? (offsets[0] as string) : this.g.node('Concat', offsets, { axis: attr.int(0) });
    return this.patchesValue;
  }

  /** D as [F, n·P]: each output channel's values over examples and positions. */
  private channelRows(d: string): string {
    const { g } = this;
    const byChannel = g.node('Reshape', [d, g.int64s([0, this.channels, this.positions])]);
    return g.node('Reshape', [
      g.node('Transpose', [byChannel], { perm: attr.ints([1, 0, 2]) }),
      g.int64s([this.channels, -1]),
    ]);
  }

  /** [kh·kw, F, C] → the kernel's HWIO shape. */
  private kernelShaped(offsetFc: string, name?: string): string {
    const { g } = this;
    const transposed = g.node('Transpose', [offsetFc], { perm: attr.ints([0, 2, 1]) });
    return g.node('Reshape', [transposed, g.int64s(weightShape(this.info))], {}, name);
  }

  /**
   * Σ over examples and positions of a_ip d_ipᵀ (of a_ip∘a_ip with `squared`) in the weight's
   * shape and of d_ip in the bias's, named by `name(p)`.
   */
  product(d: string, name: (p: number) => string, squared = false): ParameterValues {
    const { g, info } = this;
    const [pw, pb] = info.parameters as [number, number | undefined];
    let weight: string;
    if (this.conv) {
      // One product per kernel offset: stacking the patches first would copy them once more.
      const rows = this.channelRows(d);
      const products = this.offsets().map((patches) =>
        g.node('MatMul', [rows, squared ? g.node('Mul', [patches, patches]) : patches]),
      );
      const stacked =
        products.length === 1 ? (products[0] as string) : g.node('Concat', products, { axis: attr.int(0) });
      weight = this.kernelShaped(stacked, name(pw));
    } else {
      const a = squared ? g.node('Mul', [this.a, this.a]) : this.a;
      weight = g.node('Gemm', [a, d], { transA: attr.int(1) }, name(pw));
    }
    const values: ParameterValues = [[pw, weight]];
    if (pb === undefined) return values;
    const bias = this.conv
      ? g.node('ReduceSum', [d, g.int64s([0, 2, 3])], { keepdims: attr.int(0) }, name(pb))
      : g.node('MatMul', [this.ones(), d], {}, name(pb));
    values.push([pb, bias]);
    return values;
  }

  /** Σ_i G_i∘G_i·scale and Σ_i B_i∘B_i·scale (`exact`), or the reference fidelity's sums. */
  moment(scale: string, fidelity: 'exact' | 'reference', name: (p: number) => string): ParameterValues {
    const { g, info } = this;
    const squaredDelta = g.node('Mul', [this.delta, g.node('Mul', [this.delta, scale])]);
    if (!this.conv || fidelity === 'reference') return this.product(squaredDelta, name, true);
    const [pw, pb] = info.parameters as [number, number | undefined];
    const sums = g.node('ReduceSumSquare', [this.examples()], reduce([1]));
    const values: ParameterValues = [[pw, this.kernelShaped(g.node('Mul', [sums, scale]), name(pw))]];
    if (pb !== undefined) {
      const squares = g.node('ReduceSumSquare', [this.biasExamples()], reduce([0]));
      values.push([pb, g.node('Mul', [squares, scale], {}, name(pb))]);
    }
    return values;
  }

  /** ‖G_i‖² and ‖B_i‖² per example ([n] each; the bias's only with a bias), unscaled. */
  norms(): { weight: string; bias: string } {
    const { g } = this;
    const rows = reduce([1]);
    if (!this.conv) {
      const bias = g.node('ReduceSumSquare', [this.delta], rows);
      return { weight: g.node('Mul', [g.node('ReduceSumSquare', [this.a], rows), bias]), bias };
    }
    const bias = g.node('ReduceSumSquare', [this.biasExamples()], rows);
    if (!this.normsByPositions)
      return { weight: g.node('ReduceSumSquare', [this.examples()], reduce([0, 2, 3])), bias };
    const perm = { perm: attr.ints([0, 2, 1]) };
    // Example-major patches [n, P, K] (a transpose of the patches: only where P is small).
    const byExample = g.node('Transpose', [this.patchesByExample()], { perm: attr.ints([1, 2, 0, 3]) });
    const patches = g.node('Reshape', [byExample, g.int64s([0, this.positions, this.width])]);
    const deltas = this.deltasByChannel();
    const aa = g.node('MatMul', [patches, g.node('Transpose', [patches], perm)]);
    const dd = g.node('MatMul', [g.node('Transpose', [deltas], perm), deltas]);
    return {
      weight: g.node('ReduceSum', [g.node('Mul', [aa, dd]), g.int64s([1, 2])], { keepdims: attr.int(0) }),
      bias,
    };
  }

  /** K_ij = ⟨G_i, G_j⟩ + ⟨B_i, B_j⟩, [n, n], unscaled. */
  gram(): string {
    const { g } = this;
    const transB = { transB: attr.int(1) };
    if (!this.conv) {
      const dd = g.node('Gemm', [this.delta, this.delta], transB);
      return g.node('Mul', [
        dd,
        g.node('Gemm', this.hasBias ? [this.a, this.a, g.scalar(1)] : [this.a, this.a], transB),
      ]);
    }
    const byExample = g.node('Transpose', [this.examples()], { perm: attr.ints([1, 0, 2, 3]) });
    const flat = g.node('Reshape', [byExample, g.int64s([0, -1])]);
    const gram = g.node('Gemm', [flat, flat], transB);
    if (!this.hasBias) return gram;
    const b = this.biasExamples();
    return g.node('Add', [gram, g.node('Gemm', [b, b], transB)]);
  }

  /** Δ̄ as [n, F, P] (the NCHW layout, reshaped). */
  private deltasByChannel(): string {
    return this.g.node('Reshape', [this.delta, this.g.int64s([0, this.channels, this.positions])]);
  }

  /** The patches as [kh·kw, n, P, C]. */
  private patchesByExample(): string {
    return this.g.node('Reshape', [this.patches(), this.g.int64s([0, -1, this.positions, this.channelsIn])]);
  }

  /** Every example's gradient, per kernel offset: [kh·kw, n, F, C] (Δ̄_iᵀ times that offset's patches). */
  private examples(): string {
    this.examplesValue ??= this.g.node('MatMul', [this.deltasByChannel(), this.patchesByExample()]);
    return this.examplesValue;
  }

  /** B_i = Σ_p δ_ip: [n, F]. */
  private biasExamples(): string {
    this.biasExamplesValue ??= this.g.node('ReduceSum', [this.delta, this.g.int64s([2, 3])], { keepdims: attr.int(0) });
    return this.biasExamplesValue;
  }
}

/** A conv kernel's HWIO shape. */
const weightShape = (info: LayerInfo) => [
  ...(info.spec as Conv2dLayer).kernelSize,
  info.inputShape[2] as number,
  info.outputShape[2] as number,
];

/** Σ dy∘x̂ and Σ dy per channel: batch norm's γ and β gradients. */
export function batchNormProduct(
  g: GraphBuilder,
  info: LayerInfo,
  xhat: string,
  d: string,
  name: (p: number) => string,
): ParameterValues {
  const [pg, pb] = info.parameters as [number, number];
  const axes = g.int64s(info.inputShape.length === 3 ? [0, 2, 3] : [0]);
  const keep = { keepdims: attr.int(0) };
  return [
    [pg, g.node('ReduceSum', [g.node('Mul', [d, xhat]), axes], keep, name(pg))],
    [pb, g.node('ReduceSum', [d, axes], keep, name(pb))],
  ];
}
