/**
 * Gradient and per-example statistics of one dense or conv layer, from its input A and its
 * scaled output gradients Δ̄ = s·Δ (s = 1/n for a loss head, 1 for an upstream gradient; see
 * training-graph.ts). The layer's output at position p is z_ip = a_ipᵀW + b: a dense layer has
 * one position, a convolution P (a_ip the K = kh·kw·c input patch under output position p), so
 * example i's gradient is G_i = Σ_p a_ip δ_ipᵀ (K × F) and B_i = Σ_p δ_ip (bias).
 *
 * Conv layers work on their patches (conv-patches.ts: one strided `Slice` of the padded NHWC
 * input per kernel offset, [n·P, C] each), so
 *   gradient         per offset Δ̄ᵀ·A_offset (one MatMul n·P deep), bias Σ Δ̄; with fewer than
 *                    8 input channels one convolution, batch and channels swapped
 *                    (conv-patches.ts); or, when a statistic materialises every G_i anyway,
 *                    Σ_i G_i (1ᵀ·G)
 *   G_i              in groups of offsets, [n, F, K_g], each reduced before the next
 *                    (conv-examples.ts): per offset in a `Loop`, or with fewer than 8 input
 *                    channels all offsets at once
 *   second moment    exact      Σ_i G_i∘G_i · c_m (1ᵀ·(G∘G) per group)
 *                    reference  (A∘A)ᵀ(Δ̄∘Δ̄) · c_m: cross-position terms dropped (CABS's code)
 *   ‖G_i‖²           the cheaper of ‖G_i‖² from G (P·K·F per example) and
 *                    Σ_{p,q}(a_ip·a_iq)(δ_ip·δ_iq) (P²·(K+F) per example)
 *   Gram ⟨G_i, G_j⟩  Σ_groups G_flat·G_flatᵀ + B·Bᵀ
 *   ξ's sums         Σ_i ‖G_i‖² + ‖B_i‖², or Σ_{i,p} (‖a_ip‖² + 1)·‖δ_ip‖² (reference)
 *   weighted         the gradient of Δ̄∘w̃
 * Dense layers use the rank-one forms: (A∘A)ᵀ(Δ̄∘Δ̄), ‖a_i‖²‖δ_i‖², (Δ̄Δ̄ᵀ)∘(AAᵀ + 1).
 * Memory: the plain gradient's patches hold n·P·K values; the per-example statistics one group
 * of G at a time (n·F·K_g); the README states the bound.
 */
import type { LayerInfo } from '@abs/core';
import { convExampleSums, type ExampleSums, type ExampleWants } from './conv-examples';
import { convPatches, kernelGradientByConv, weightShape } from './conv-patches';
import { attr, type GraphBuilder } from './graph-builder';
import { convGeometry, windowAttributes } from './network';
import { rowSquares } from './reductions';

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

/** The statistics of one layer's record (input and Δ̄), sharing patches and per-example gradients. */
export class LinearStatistics {
  private readonly conv: boolean;
  private readonly positions: number;
  private readonly width: number;
  private readonly channels: number;
  private readonly channelsIn: number;
  private patchesValue: string | undefined;
  private offsetsValue: string[] | undefined;
  private exampleSumsValue: ExampleSums | undefined;
  private biasExamplesValue: string | undefined;
  /** A conv layer whose statistics materialise every G_i: its gradient is Σ_i G_i then. */
  private readonly materialise: boolean;
  private readonly ones: () => string;
  private readonly wants: ExampleWants;

  constructor(
    private readonly g: GraphBuilder,
    private readonly info: LayerInfo,
    private readonly a: string,
    private readonly delta: string,
    context: {
      /** The [1, batch] ones input (dense bias sums, sums over examples). */
      readonly ones: () => string;
      /** The statistics the graph will ask for (exact moments, ‖G_i‖², Gram). */
      readonly wants?: { readonly moments?: boolean; readonly norms?: boolean; readonly gram?: boolean };
    },
  ) {
    this.ones = context.ones;
    const wants = context.wants ?? {};
    this.conv = info.kind === 'conv2d';
    this.channels = info.outputShape.at(-1) as number;
    const [kh, kw] = this.conv ? convGeometry(info).kernel : [1, 1];
    this.positions = info.outputSize / this.channels;
    this.channelsIn = info.inputShape.at(-1) as number;
    this.width = kh * kw * this.channelsIn;
    this.wants = { ...wants, norms: wants.norms === true && !this.normsByPositions };
    this.materialise =
      this.conv && (this.wants.moments === true || this.wants.gram === true || this.wants.norms === true);
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
   * The gradient: `product` of Δ̄, or for a conv layer whose statistics materialise every
   * example's G_i anyway, Σ_i G_i (1ᵀ·G per group: no second product over the patches).
   */
  gradient(name: (p: number) => string): ParameterValues {
    if (!this.materialise) return this.product(this.delta, name);
    const [pw, pb] = this.info.parameters as [number, number | undefined];
    const values: ParameterValues = [[pw, this.kernelShaped(this.exampleSums().gradient, name(pw))]];
    if (pb !== undefined) values.push([pb, this.biasSum(this.delta, name(pb))]);
    return values;
  }

  /**
   * Σ over examples and positions of a_ip d_ipᵀ (of a_ip∘a_ip with `squared`) in the weight's
   * shape and of d_ip in the bias's, named by `name(p)`.
   */
  product(d: string, name: (p: number) => string, squared = false): ParameterValues {
    const { g, info } = this;
    const [pw, pb] = info.parameters as [number, number | undefined];
    let weight: string;
    if (this.conv && this.channelsIn < 8) {
      const a = squared ? g.node('Mul', [this.a, this.a]) : this.a;
      weight = kernelGradientByConv(g, info, a, d, name(pw));
    } else if (this.conv) {
      // One product per kernel offset: stacking the patches first would copy them once more. (A
      // loop over the offsets, as the per-example statistics take, measured 1.08–1.15× the step.)
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
    values.push([pb, this.biasSum(d, name(pb))]);
    return values;
  }

  /** Σ_i Σ_p d_ip: the bias-shaped sum. */
  private biasSum(d: string, name: string): string {
    const { g } = this;
    return this.conv
      ? g.node('ReduceSum', [d, g.int64s([0, 2, 3])], { keepdims: attr.int(0) }, name)
      : g.node('MatMul', [this.ones(), d], {}, name);
  }

  /** Σ_i G_i∘G_i·scale and Σ_i B_i∘B_i·scale (`exact`), or the reference fidelity's sums. */
  moment(scale: string, fidelity: 'exact' | 'reference', name: (p: number) => string): ParameterValues {
    const { g, info } = this;
    const squaredDelta = g.node('Mul', [this.delta, g.node('Mul', [this.delta, scale])]);
    if (!this.conv || fidelity === 'reference') return this.product(squaredDelta, name, true);
    const [pw, pb] = info.parameters as [number, number | undefined];
    const sums = this.exampleSums().moment as string;
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
    if (!this.conv) {
      const bias = rowSquares(g, this.delta);
      return { weight: g.node('Mul', [rowSquares(g, this.a), bias]), bias };
    }
    const bias = rowSquares(g, this.biasExamples());
    if (!this.normsByPositions) return { weight: this.exampleSums().norms as string, bias };
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

  /**
   * The layer's part of n·Σ_j M_j, a scalar, unscaled: Σ_i ‖G_i‖² + ‖B_i‖² (`exact`, the sum of
   * the exact second moments), or Σ_i Σ_p (‖a_ip‖² + 1)·‖δ_ip‖² (`reference`: cross-position
   * terms dropped; the 1 only with a bias). A dense layer's two are the same,
   * (‖a_i‖² + 1)·‖δ_i‖²; a conv layer's reference sum takes ‖a_ip‖² for every position at once
   * as a convolution of A∘A with a ones kernel of one output channel.
   */
  varianceSum(fidelity: 'exact' | 'reference'): string {
    const { g, info } = this;
    const all = { keepdims: attr.int(0) };
    if (this.conv && fidelity === 'exact') {
      const norms = this.norms();
      const weight = g.node('ReduceSum', [norms.weight], all);
      return this.hasBias ? g.node('Add', [weight, g.node('ReduceSum', [norms.bias], all)]) : weight;
    }
    let patchSquares: string;
    let deltaSquares: string;
    if (this.conv) {
      // [n, 1, H', W']: ‖a_ip‖² by a one-output convolution, ‖δ_ip‖² summed over channels.
      const geometry = convGeometry(info);
      const ones = g.floatConstant(new Float32Array(this.width).fill(1), [1, this.channelsIn, ...geometry.kernel]);
      patchSquares = g.node('Conv', [g.node('Mul', [this.a, this.a]), ones], windowAttributes(geometry));
      const channels = { keepdims: attr.int(1) };
      deltaSquares = g.node('ReduceSum', [g.node('Mul', [this.delta, this.delta]), g.int64s([1])], channels);
    } else {
      patchSquares = rowSquares(g, this.a);
      deltaSquares = rowSquares(g, this.delta);
    }
    const inputs = this.hasBias ? g.node('Add', [patchSquares, g.scalar(1)]) : patchSquares;
    return g.node('ReduceSum', [g.node('Mul', [inputs, deltaSquares])], all);
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
    const gram = this.exampleSums().gram as string;
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

  /** Sums over every example's G_i (conv-examples.ts), for the statistics the graph wants. */
  private exampleSums(): ExampleSums {
    this.exampleSumsValue ??= convExampleSums(this.g, this.info, {
      a: this.a,
      deltas: this.deltasByChannel(),
      ones: this.ones(),
      patches: () => this.patches(),
      wants: this.wants,
    });
    return this.exampleSumsValue;
  }

  /** B_i = Σ_p δ_ip: [n, F]. */
  private biasExamples(): string {
    this.biasExamplesValue ??= this.g.node('ReduceSum', [this.delta, this.g.int64s([2, 3])], { keepdims: attr.int(0) });
    return this.biasExamplesValue;
  }
}

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
