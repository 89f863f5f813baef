/**
 * Gradient and per-example statistics of one parameterised layer, from its input A and its
 * scaled output gradients Δ̄ = s·Δ (s = 1/n for a loss head, 1 for an upstream gradient; see
 * training-graph.ts). A layer's output at position p is z_ip = a_ipᵀW + b: a dense layer has
 * one position, a convolution P (a_ip the K = kh·kw·c input patch under output position p), so
 * example i's gradient is G_i = Σ_p a_ip δ_ipᵀ (K × F) and Σ_p δ_ip (bias).
 *
 *   gradient         dense AᵀΔ̄ (Gemm), 1ᵀΔ̄ (ones·Δ̄)
 *                    conv  a Conv of the input with Δ̄ as the kernel (batch as channels,
 *                          dilation = stride), Σ over n and positions of Δ̄ for the bias
 *   second moment    exact     Σ_i G_i∘G_i · c_m   (dense: (A∘A)ᵀ(Δ̄∘Δ̄)·c_m; conv: materialised G)
 *                    reference Σ_i Σ_p (a_ip∘a_ip)(δ_ip∘δ_ip)ᵀ · c_m: the conv weight gradient
 *                              of the squared input and squared Δ̄ (cross-position terms dropped)
 *   ‖G_i‖²           dense ‖a_i‖²‖δ_i‖²·c_g; conv the cheaper of ‖G_i‖² from materialised G
 *                    (P·K·F per example) and Σ_{p,q}(a_ip·a_iq)(δ_ip·δ_iq) (P²·(K+F))
 *   Gram ⟨G_i, G_j⟩  dense (Δ̄Δ̄ᵀ)∘(AAᵀ + 1)·c_g; conv G_flat·G_flatᵀ + BBᵀ (B_i = Σ_p δ_ip)
 *   weighted         the gradient of Δ̄∘w̃
 * with c_m = (1/n)/s², c_g = 1/s². Materialised per-example conv gradients G come from patches
 * (a depthwise Conv with one-hot kernels: [n, K, P]) times Δ̄ in one batched MatMul, [n, K, F]:
 * the graph holds n·K·F values of one layer at once (the README states the bound).
 */
import type { LayerInfo } from '@abs/core';
import { attr, type GraphBuilder } from './graph-builder';
import { convGeometry, windowAttributes } from './network';

/** Inputs of the statistics that the training graph declares once. */
export interface StatisticsInputs {
  readonly g: GraphBuilder;
  /** The [1, batch] ones input. */
  readonly ones: () => string;
  /** A graph input of shape [1]. */
  readonly scalarInput: (name: string) => string;
}

/** Values by parameter index. */
export type ParameterValues = [number, string][];

const reduceAttributes = (axes: readonly number[]) => ({ axes: attr.ints(axes), keepdims: attr.int(0) });

/**
 * Output dims of a parameter-shaped statistic: dense biases come out as [1, out] (the ones·Δ̄
 * product), everything else in its parameter's shape.
 */
export function statisticDims(info: LayerInfo, p: number, shape: readonly number[]): readonly number[] {
  return info.kind === 'dense' && p === info.parameters[1] ? [1, shape[0] as number] : shape;
}

/** Σ over examples and positions of A and D's product: the weight gradient's form. */
function convWeightProduct(g: GraphBuilder, info: LayerInfo, a: string, d: string, name?: string): string {
  const geometry = convGeometry(info);
  const [kh, kw] = geometry.kernel;
  // Batch as channels: [C, n, H, W] ⋆ [F, n, OH, OW] with dilation = stride → [C, F, kh', kw'].
  const batchFirst = { perm: attr.ints([1, 0, 2, 3]) };
  const bottom = [0, 1].map(
    (axis) =>
      (geometry.kernel[axis] as number) -
      (geometry.input[axis] as number) -
      (geometry.pads[axis] as number) +
      (geometry.strides[axis] as number) * ((geometry.output[axis] as number) - 1),
  ) as [number, number];
  let product = g.node('Conv', [g.node('Transpose', [a], batchFirst), g.node('Transpose', [d], batchFirst)], {
    kernel_shape: attr.ints(geometry.output),
    dilations: attr.ints(geometry.strides),
    pads: attr.ints([geometry.pads[0], geometry.pads[1], Math.max(bottom[0], 0), Math.max(bottom[1], 0)]),
  });
  if (bottom[0] < 0 || bottom[1] < 0) {
    // Trailing rows/columns that no output position reads (a 'valid' remainder).
    product = g.node('Slice', [product, g.int64s([0, 0]), g.int64s([kh, kw]), g.int64s([2, 3])]);
  }
  return g.node('Transpose', [product], { perm: attr.ints([2, 3, 0, 1]) }, name);
}

/**
 * The weight-gradient-shaped product Σ_i Σ_p a_ip d_ipᵀ and the bias-shaped Σ_i Σ_p d_ip of a
 * linear layer, named by `name(p)`.
 */
export function linearProduct(
  inputs: StatisticsInputs,
  info: LayerInfo,
  a: string,
  d: string,
  name: (p: number) => string,
): ParameterValues {
  const { g } = inputs;
  const [pw, pb] = info.parameters as [number, number | undefined];
  if (info.kind === 'dense') {
    const values: ParameterValues = [[pw, g.node('Gemm', [a, d], { transA: attr.int(1) }, name(pw))]];
    if (pb !== undefined) values.push([pb, g.node('MatMul', [inputs.ones(), d], {}, name(pb))]);
    return values;
  }
  const values: ParameterValues = [[pw, convWeightProduct(g, info, a, d, name(pw))]];
  if (pb !== undefined)
    values.push([pb, g.node('ReduceSum', [d, g.int64s([0, 2, 3])], { keepdims: attr.int(0) }, name(pb))]);
  return values;
}

/** Σ dy∘x̂ and Σ dy per channel: batch norm's γ and β gradients. */
export function batchNormProduct(
  g: GraphBuilder,
  info: LayerInfo,
  xhat: string,
  d: string,
  name: (p: number) => string,
) {
  const [pg, pb] = info.parameters as [number, number];
  const axes = g.int64s(info.inputShape.length === 3 ? [0, 2, 3] : [0]);
  const keep = { keepdims: attr.int(0) };
  return [
    [pg, g.node('ReduceSum', [g.node('Mul', [d, xhat]), axes], keep, name(pg))],
    [pb, g.node('ReduceSum', [d, axes], keep, name(pb))],
  ] as ParameterValues;
}

/** Per-example statistics of a conv layer that share the patches and materialised gradients. */
export class ConvExamples {
  private readonly geometry;
  private readonly positions: number;
  private readonly width: number;
  private readonly channels: number;
  private patchesValue: string | undefined;
  private gradientsValue: string | undefined;

  constructor(
    private readonly g: GraphBuilder,
    private readonly info: LayerInfo,
    private readonly a: string,
    private readonly d: string,
  ) {
    this.geometry = convGeometry(info);
    this.positions = this.geometry.output[0] * this.geometry.output[1];
    this.channels = info.outputShape[2] as number;
    this.width = this.geometry.kernel[0] * this.geometry.kernel[1] * (info.inputShape[2] as number);
  }

  /** True when Σ_{p,q}(a_ip·a_iq)(δ_ip·δ_iq) is cheaper than materialising G_i for ‖G_i‖². */
  get normsByPositions(): boolean {
    const { positions: P, width: K, channels: F } = this;
    return P * P * (K + F) < P * K * F;
  }

  /** Example i's patches as [n, K, P], K in (channel, ky, kx) order. */
  private patches(): string {
    if (this.patchesValue) return this.patchesValue;
    const { g, geometry } = this;
    const [kh, kw] = geometry.kernel;
    const c = this.info.inputShape[2] as number;
    const oneHot = new Float32Array(c * kh * kw * kh * kw);
    for (let o = 0; o < c * kh * kw; o++) oneHot[o * kh * kw + (o % (kh * kw))] = 1;
    const kernel = g.floatConstant(oneHot, [c * kh * kw, 1, kh, kw]);
    const patches = g.node('Conv', [this.a, kernel], { ...windowAttributes(geometry), group: attr.int(c) });
    this.patchesValue = g.node('Reshape', [patches, g.int64s([0, this.width, this.positions])]);
    return this.patchesValue;
  }

  /** Δ̄ as [n, F, P]. */
  private deltas(): string {
    return this.g.node('Reshape', [this.d, this.g.int64s([0, this.channels, this.positions])]);
  }

  /** G_i for every example, [n, K, F] with K in (channel, ky, kx) order. */
  gradients(): string {
    if (!this.gradientsValue) {
      const transposed = this.g.node('Transpose', [this.deltas()], { perm: attr.ints([0, 2, 1]) });
      this.gradientsValue = this.g.node('MatMul', [this.patches(), transposed]);
    }
    return this.gradientsValue;
  }

  /** B_i = Σ_p δ_ip, [n, F]. */
  biasGradients(): string {
    return this.g.node('ReduceSum', [this.d, this.g.int64s([2, 3])], { keepdims: attr.int(0) });
  }

  /** ‖G_i‖², [n]. */
  weightNorms(): string {
    const { g } = this;
    if (!this.normsByPositions) return g.node('ReduceSumSquare', [this.gradients()], reduceAttributes([1, 2]));
    const patches = this.patches();
    const deltas = this.deltas();
    const perm = { perm: attr.ints([0, 2, 1]) };
    const aa = g.node('MatMul', [g.node('Transpose', [patches], perm), patches]);
    const dd = g.node('MatMul', [g.node('Transpose', [deltas], perm), deltas]);
    return g.node('ReduceSum', [g.node('Mul', [aa, dd]), g.int64s([1, 2])], { keepdims: attr.int(0) });
  }

  /** Σ_i G_i∘G_i in the kernel's HWIO shape. */
  weightMoment(scale: string, name: string): string {
    const { g } = this;
    const [kh, kw] = this.geometry.kernel;
    const sums = g.node('Mul', [g.node('ReduceSumSquare', [this.gradients()], reduceAttributes([0])), scale]);
    const shaped = g.node('Reshape', [sums, g.int64s([this.info.inputShape[2] as number, kh, kw, this.channels])]);
    return g.node('Transpose', [shaped], { perm: attr.ints([1, 2, 0, 3]) }, name);
  }

  /** G_flat·G_flatᵀ, [n, n]. */
  weightGram(): string {
    const flat = this.g.node('Reshape', [this.gradients(), this.g.int64s([0, -1])]);
    return this.g.node('Gemm', [flat, flat], { transB: attr.int(1) });
  }

  /** Σ_i Σ_p (a_ip∘a_ip)(δ_ip∘δ_ip)ᵀ·scale (the CABS reference fidelity). */
  referenceMoment(scale: string, name: string): string {
    const { g } = this;
    const squaredDelta = g.node('Mul', [this.d, g.node('Mul', [this.d, scale])]);
    return convWeightProduct(g, this.info, g.node('Mul', [this.a, this.a]), squaredDelta, name);
  }
}
