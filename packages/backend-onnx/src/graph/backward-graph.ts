/**
 * The backward pass and every statistic, from the same pass's activations A_l and scaled
 * per-example output gradients Δ̄_l = s·Δ_l (s = 1/n for a loss, 1 for an upstream
 * gradient; rows of Δ_l are δ_i = ∂ℓ_i/∂z_i of example i's own loss):
 *   gradient           W: A_lᵀΔ̄_l                   b: Σ_i Δ̄_l[i]
 *   second moment      W: (A∘A)ᵀ(Δ̄∘Δ̄·c_m)           b: Σ_i (Δ̄∘Δ̄·c_m)[i]    c_m = (1/n)/s²
 *   Gram               (Δ̄Δ̄ᵀ)∘(AAᵀ + 1)·c_g                                  c_g = 1/s²
 *   ‖g_i‖² per example W: ‖a_i‖²·‖Δ̄_i‖²·c_g       b: ‖Δ̄_i‖²·c_g
 *   weighted gradient  W: Aᵀ(Δ̄∘w̃)                   b: Σ_i (Δ̄∘w̃)[i]        w̃ = w/s
 *   feature gradient   Δ̄_r W_rᵀ·c_f                                           c_f = (1/n)/s
 * and the propagation Δ̄_{l−1} = (Δ̄_l W_lᵀ)∘f′, with f′ written in terms of A_l = f(Z_{l−1}):
 * relu 1[A > 0], tanh 1 − A², sigmoid A(1 − A). Scalars equal to 1 are left out. Column
 * sums Σ_i D[i] are written as the product 1ᵀD with a ones input (MatMul runs them about
 * twice as fast as ReduceSum over the batch axis in onnxruntime 1.30); they come out as
 * [1, out].
 */
import { type DenseStack, describeSpec, type LayerInfo } from '@abs/core';
import type { ForwardValues } from './forward-graph';
import { attr, type GraphBuilder } from './graph-builder';
import { BATCH, names } from './names';
import type { GraphSignature } from './signature';

export interface BackwardContext {
  readonly spec: DenseStack;
  readonly layers: readonly LayerInfo[];
  readonly signature: GraphSignature;
  readonly forward: ForwardValues;
  /** Δ̄ of the last layer. */
  readonly delta: string;
  readonly weight: (layer: number) => string;
  /** The graph input of parameter p (declared once). */
  readonly parameter: (p: number) => string;
  /** A graph input of shape [1] (declared once). */
  readonly scalarInput: (name: string) => string;
  /** The [1, batch] ones input (declared once). */
  readonly ones: () => string;
}

/** ∂/∂A_l given ∂/∂Z_l (G) for the activation that produced A_l. */
function activationDerivative(g: GraphBuilder, spec: DenseStack, upstream: string, a: string): string {
  switch (spec.activation) {
    case 'identity':
      return upstream;
    case 'relu':
      return g.node('Where', [g.node('Greater', [a, g.scalar(0)]), upstream, g.scalar(0)]);
    case 'tanh':
      return g.node('Mul', [upstream, g.node('Sub', [g.scalar(1), g.node('Mul', [a, a])])]);
    case 'sigmoid':
      return g.node('Mul', [upstream, g.node('Mul', [a, g.node('Sub', [g.scalar(1), a])])]);
  }
}

export function addBackward(g: GraphBuilder, context: BackwardContext): void {
  const { spec, layers, signature: sig, forward } = context;
  const transA = { transA: attr.int(1) };
  const upstreamHead = sig.head === 'upstream';
  /**
   * The weight-gradient-shaped product Aᵀ·D and the bias-shaped column sum of D, as graph
   * outputs unless `output` is false; returns the values by parameter index.
   */
  const emit = (layer: LayerInfo, a: string, d: string, name: (p: number) => string, output = true) => {
    const [pw, pb] = layer.parameters as [number, number | undefined];
    const values: [number, string][] = [[pw, g.node('Gemm', [a, d], transA, name(pw))]];
    if (output) g.output(name(pw), name(pw), [layer.inputSize, layer.outputSize]);
    if (pb !== undefined) {
      values.push([pb, g.node('MatMul', [context.ones(), d], {}, name(pb))]);
      if (output) g.output(name(pb), name(pb), [1, layer.outputSize]);
    }
    return values;
  };
  const gradients = new Map<number, string>();

  let delta = context.delta;
  for (let l = layers.length - 1; l >= sig.start; l--) {
    const layer = layers[l] as LayerInfo;
    const a = forward.a[l] as string;
    if (sig.gradient || sig.step) {
      for (const [p, value] of emit(layer, a, delta, names.gradient, sig.gradient)) gradients.set(p, value);
    }
    if (sig.secondMoment) {
      const squaredDelta = g.node('Mul', [delta, g.node('Mul', [delta, context.scalarInput(names.momentScale)])]);
      emit(layer, g.node('Mul', [a, a]), squaredDelta, names.moment);
    }
    if (sig.gram) {
      const dd = g.node('Gemm', [delta, delta], { transB: attr.int(1) });
      const aa = g.node('Gemm', spec.bias ? [a, a, g.scalar(1)] : [a, a], { transB: attr.int(1) });
      let gram = g.node('Mul', [dd, aa]);
      if (!upstreamHead) gram = g.node('Mul', [gram, context.scalarInput(names.gramScale)]);
      g.output(gram, names.gram(l), [BATCH, BATCH]);
    }
    if (sig.exampleNorms) {
      const rows = { axes: attr.ints([1]), keepdims: attr.int(0) };
      let dd = g.node('ReduceSumSquare', [delta], rows);
      if (!upstreamHead) dd = g.node('Mul', [dd, context.scalarInput(names.gramScale)]);
      const [pw, pb] = layer.parameters as [number, number | undefined];
      const aa = g.node('ReduceSumSquare', [a], rows);
      g.output(g.node('Mul', [aa, dd], {}, names.exampleNorm(pw)), names.exampleNorm(pw), [BATCH]);
      if (pb !== undefined)
        g.output(g.node('Identity', [dd], {}, names.exampleNorm(pb)), names.exampleNorm(pb), [BATCH]);
    }
    if (sig.weights === 'input') {
      const w = g.input(names.weights(l), [BATCH, 1]);
      emit(layer, a, g.node('Mul', [delta, w]), names.weighted);
    } else if (sig.weights === 'keep') {
      g.output(delta, names.delta(l), [BATCH, layer.outputSize]);
      if (l > sig.start) g.output(a, names.activation(l), [BATCH, layer.inputSize]);
    }
    const needsInputGradient = l > sig.start || sig.featureGradient;
    if (!needsInputGradient) break;
    const inputGradient = g.node('Gemm', [delta, context.weight(l)], { transB: attr.int(1) });
    if (l === sig.start) {
      const scaled = upstreamHead
        ? g.node('Mul', [inputGradient, context.scalarInput(names.featureScale)])
        : inputGradient;
      g.output(scaled, names.featureGradient, [BATCH, layer.inputSize]);
      break;
    }
    delta = activationDerivative(g, spec, inputGradient, a);
  }
  if (sig.step) addSgdStep(g, context, gradients);
}

/**
 * θ' = θ·k − ∇·η per parameter (k = 1 − ηλ, left out for `'sgd'`), each in its parameter's
 * shape, and ‖∇‖² = Σ_p ReduceSumSquare(∇_p), whose finiteness tells the model whether to
 * take the step.
 */
function addSgdStep(g: GraphBuilder, context: BackwardContext, gradients: ReadonlyMap<number, string>): void {
  const { parameters } = describeSpec(context.spec.source);
  const rate = context.scalarInput(names.stepRate);
  const squares: string[] = [];
  parameters.forEach((info, p) => {
    let gradient = gradients.get(p) as string;
    if (info.shape.length === 1) gradient = g.node('Reshape', [gradient, g.int64s(info.shape)]);
    squares.push(g.node('ReduceSumSquare', [gradient], { keepdims: attr.int(0) }));
    const kept =
      context.signature.step === 'sgd-decay'
        ? g.node('Mul', [context.parameter(p), context.scalarInput(names.stepKeep)])
        : context.parameter(p);
    g.output(g.node('Sub', [kept, g.node('Mul', [gradient, rate])]), names.updated(p), info.shape);
  });
  const norm = squares.length === 1 ? (squares[0] as string) : g.node('Sum', squares);
  g.output(norm, names.gradientNormSquared, []);
}
