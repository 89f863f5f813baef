/**
 * Generates the ONNX graph of one request signature: forward pass, per-example losses,
 * backward pass, the requested statistics and optionally the SGD update, all in one graph whose
 * parameters, batch and scalars are inputs (batch size is the symbolic dimension `batch`).
 *
 * The backward pass carries Δ̄ = s·Δ, the per-example output gradients Δ (rows δ_i = ∂ℓ_i/∂z_i
 * of example i's own loss) scaled by s = 1/n for a loss head and 1 for an upstream gradient, so
 * the plain gradient needs no rescaling; the statistics undo it with the scalar inputs
 * c_m = (1/n)/s² (second moments), c_g = 1/s² (Gram, norms) and c_f = (1/n)/s (feature
 * gradient). Scalars equal to 1 are left out. See layer-statistics.ts for the formulas.
 */
import { describeSpec, type LayerInfo, type ModelSpec } from '@abs/core';
import type { ModelProto } from '../proto/onnx-proto';
import { attr, GraphBuilder } from './graph-builder';
import { batchNormProduct, LinearStatistics, type ParameterValues, statisticDims } from './layer-statistics';
import { addLoss } from './loss-graph';
import { BATCH, names } from './names';
import {
  buildNetwork,
  type ForwardStep,
  forwardChain,
  type NetNode,
  type NetworkContext,
  toFlatNhwc,
  toInternal,
} from './network';
import { sum } from './reductions';
import { type GraphSignature, needsBackward, signatureKey } from './signature';

/** The parameterised layers that a pass from top-level node `start` runs, in order. */
export function layersFrom(nodes: readonly NetNode[], start: number): LayerInfo[] {
  const found: LayerInfo[] = [];
  const walk = (list: readonly NetNode[]) => {
    for (const node of list) {
      if (node.kind === 'linear' || node.kind === 'batchNorm') found.push(node.info);
      else if (node.kind === 'residual') {
        walk(node.block);
        walk(node.shortcut);
      }
    }
  };
  walk(nodes.slice(start));
  return found;
}

/** Shape of one example entering top-level node k (the network's input for k = 0). */
export function nodeInputShape(spec: ModelSpec, k: number): readonly number[] {
  const { shapes, inputShape } = describeSpec(spec);
  return k === 0 ? inputShape : ((shapes.find((s) => s.path === `layers[${k}]`)?.inputShape ?? []) as number[]);
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Dims of a value in the graph's layout: images NCHW, vectors [batch, width]. */
export const internalDims = (shape: readonly number[]) =>
  shape.length === 3 ? [BATCH, shape[2] as number, shape[0] as number, shape[1] as number] : [BATCH, size(shape)];

export function buildTrainingGraph(spec: ModelSpec, signature: GraphSignature): ModelProto {
  const g = new GraphBuilder();
  const { parameters, buffers, outputShape } = describeSpec(spec);
  const nodes = buildNetwork(spec);
  const outputSize = outputShape[0] as number;
  const declared = new Map<string, string>();
  const once = (name: string, dims: readonly (number | string)[]) => {
    const known = declared.get(name);
    if (known) return known;
    const created = g.input(name, dims);
    declared.set(name, created);
    return created;
  };
  const parameter = (p: number) => once(names.parameter(p), parameters[p]?.shape ?? []);
  const scalarInput = (name: string) => once(name, [1]);
  const ones = () => once(names.ones, [1, BATCH]);
  const backward = needsBackward(signature);
  const ctx: NetworkContext = {
    g,
    parameter,
    buffer: () => {
      throw new Error('training graphs normalise with the batch statistics, not the running averages');
    },
    mode: 'train',
    backward,
    ...(signature.batchStatistics
      ? {
          batchStatistics: (own: readonly [number, number], mean: string, variance: string) => {
            g.output(mean, names.batchStatistic(own[0]), buffers[own[0]]?.shape ?? []);
            g.output(variance, names.batchStatistic(own[1]), buffers[own[1]]?.shape ?? []);
          },
        }
      : {}),
  };
  const start = signature.start;
  const startShape = nodeInputShape(spec, start);
  const x = g.input(names.input, [BATCH, size(startShape)]);
  const steps: ForwardStep[] = [];
  let y = toInternal(g, x, startShape);
  for (let k = start; k < nodes.length; k++) {
    if (k === signature.features) {
      const shape = nodeInputShape(spec, k);
      g.output(toFlatNhwc(g, y, shape, names.features), names.features, [BATCH, size(shape)]);
    }
    const step = forwardChain(ctx, [nodes[k] as NetNode], y);
    steps.push(step);
    y = step.y;
  }
  if (signature.outputs) g.output(y, names.outputs, [BATCH, outputSize]);
  let delta: string | undefined;
  if (signature.head === 'loss') {
    const target = g.input(names.target, [BATCH, outputSize]);
    const loss = addLoss(g, spec.loss, y, target, backward);
    g.output(loss.perExample, names.loss, [BATCH]);
    if (loss.delta) delta = g.node('Mul', [loss.delta, scalarInput(names.batchScale)]);
  } else if (signature.head === 'upstream') {
    delta = g.input(names.upstream, [BATCH, outputSize]);
  }
  if (backward && delta) {
    const records: { info: LayerInfo; input: string; delta: string }[] = [];
    let gradient: string | undefined = delta;
    for (let k = steps.length - 1; k >= 0 && gradient !== undefined; k--) {
      const wantInput = k > 0 || signature.featureGradient;
      gradient = (steps[k] as ForwardStep).backward(gradient, wantInput, (info, input, d) =>
        records.push({ info, input, delta: d }),
      );
    }
    if (signature.featureGradient && gradient) {
      const scaled =
        signature.head === 'upstream' ? g.node('Mul', [gradient, scalarInput(names.featureScale)]) : gradient;
      g.output(toFlatNhwc(g, scaled, startShape, names.featureGradient), names.featureGradient, [
        BATCH,
        size(startShape),
      ]);
    }
    addStatistics(g, { spec, sig: signature, records, parameter, scalarInput, ones });
  }
  return g.build(signatureKey(signature));
}

function addStatistics(
  g: GraphBuilder,
  context: {
    readonly spec: ModelSpec;
    readonly sig: GraphSignature;
    readonly records: readonly { info: LayerInfo; input: string; delta: string }[];
    readonly parameter: (p: number) => string;
    readonly scalarInput: (name: string) => string;
    readonly ones: () => string;
  },
): void {
  const { spec, sig, scalarInput } = context;
  const { parameters } = describeSpec(spec);
  const shapeOf = (p: number) => parameters[p]?.shape as readonly number[];
  const outputAll = (info: LayerInfo, values: ParameterValues, name: (p: number) => string) => {
    for (const [p, value] of values) g.output(value, name(p), statisticDims(info, p, shapeOf(p)));
  };
  const gramScaled = (value: string) =>
    sig.head === 'upstream' ? value : g.node('Mul', [value, scalarInput(names.gramScale)]);
  const gradients = new Map<number, string>();
  const varianceSums: string[] = [];
  // Records arrive from the output backwards; statistics are emitted in layer order.
  for (const { info, input: a, delta } of [...context.records].sort((r, s) => r.info.index - s.info.index)) {
    const layer =
      info.kind === 'batchNorm'
        ? undefined
        : new LinearStatistics(g, info, a, delta, {
            ones: context.ones,
            wants: {
              moments: sig.secondMoment && sig.momentFidelity !== 'reference',
              norms: sig.exampleNorms || sig.variance === 'norms',
              gram: sig.gram,
            },
          });
    if (sig.gradient || sig.step) {
      const values = layer ? layer.gradient(names.gradient) : batchNormProduct(g, info, a, delta, names.gradient);
      for (const [p, value] of values) gradients.set(p, value);
      if (sig.gradient) outputAll(info, values, names.gradient);
    }
    if (!layer) continue;
    const [pw, pb] = info.parameters as [number, number | undefined];
    if (sig.secondMoment) {
      const fidelity = sig.momentFidelity ?? 'exact';
      outputAll(info, layer.moment(scalarInput(names.momentScale), fidelity, names.moment), names.moment);
    }
    if (sig.variance) varianceSums.push(layer.varianceSum(sig.variance === 'norms' ? 'exact' : 'reference'));
    if (sig.gram) g.output(gramScaled(layer.gram()), names.gram(info.index), [BATCH, BATCH]);
    if (sig.exampleNorms) {
      const norms = layer.norms();
      g.output(gramScaled(norms.weight), names.exampleNorm(pw), [BATCH]);
      if (pb !== undefined) g.output(gramScaled(norms.bias), names.exampleNorm(pb), [BATCH]);
    }
    if (sig.weights === 'input') {
      const w = g.input(names.weights(info.index), [BATCH, 1]);
      outputAll(info, layer.product(g.node('Mul', [delta, perExample(g, info, w)]), names.weighted), names.weighted);
    } else if (sig.weights === 'keep') {
      g.output(delta, names.delta(info.index), internalDims(info.outputShape));
      g.output(a, names.activation(info.index), internalDims(info.inputShape));
    }
  }
  if (!sig.step) return;
  const gradientNormSquared = addSgdStep(g, { ...context, gradients });
  if (sig.variance) {
    // ξ = c_m·Σ_l (layer l's part of n·Σ_j M_j) − ‖ḡ‖², c_m = (1/n)/s² undoing the scale of Δ̄.
    const moments = g.node('Mul', [sum(g, varianceSums), scalarInput(names.momentScale)]);
    g.output(g.node('Sub', [moments, gradientNormSquared]), names.gradientVariance, [1]);
  }
}

/** Per-example weights [n, 1] shaped to broadcast over a layer's output (NCHW for conv). */
export function perExample(g: GraphBuilder, info: LayerInfo, w: string): string {
  return info.kind === 'conv2d' ? g.node('Reshape', [w, g.int64s([-1, 1, 1, 1])]) : w;
}

/**
 * θ' = θ·k − ∇·η per parameter (k = 1 − ηλ, left out for `'sgd'`), each in its parameter's
 * shape, ‖∇‖² = Σ_p ReduceSumSquare(∇_p), and Σ_p ReduceSum(θ'_p·0), which is 0 when every
 * new parameter is finite and NaN otherwise (a sum of squares could overflow); the model takes the
 * step only when the loss and both are finite. A normalised step (`sig.normalize`) scales ∇ by
 * η/n instead, n = Sqrt(‖∇‖²) where ‖∇‖² > 0 and the input ε elsewhere: an infinite ‖∇‖² gives
 * θ' = θ·k, finite, and the model refuses it on ‖∇‖². Returns the value of ‖∇‖².
 */
function addSgdStep(
  g: GraphBuilder,
  context: {
    readonly spec: ModelSpec;
    readonly sig: GraphSignature;
    readonly gradients: ReadonlyMap<number, string>;
    readonly parameter: (p: number) => string;
    readonly scalarInput: (name: string) => string;
  },
): string {
  const { sig, gradients, parameter, scalarInput } = context;
  const { parameters, layers } = describeSpec(context.spec);
  const shaped = parameters.map((info, p) => {
    const gradient = gradients.get(p) as string;
    const dims = statisticDims(layers[info.layer] as LayerInfo, p, info.shape);
    return dims.length === info.shape.length ? gradient : g.node('Reshape', [gradient, g.int64s(info.shape)]);
  });
  const squares = sum(
    g,
    shaped.map((gradient) => g.node('ReduceSumSquare', [gradient], { keepdims: attr.int(0) })),
  );
  let rate = scalarInput(names.stepRate);
  if (sig.normalize) {
    const positive = g.node('Greater', [squares, g.scalar(0)]);
    const norm = g.node('Where', [positive, g.node('Sqrt', [squares]), scalarInput(names.stepEpsilon)]);
    rate = g.node('Div', [rate, norm]);
  }
  const checks = parameters.map((info, p) => {
    const kept = sig.step === 'sgd-decay' ? g.node('Mul', [parameter(p), scalarInput(names.stepKeep)]) : parameter(p);
    const gradient = shaped[p] as string;
    const updated = g.node('Sub', [kept, g.node('Mul', [gradient, rate])], {}, names.updated(p));
    g.output(updated, names.updated(p), info.shape);
    return g.node('ReduceSum', [g.node('Mul', [updated, g.scalar(0)])], { keepdims: attr.int(0) });
  });
  g.output(sum(g, checks), names.updatedCheck, []);
  return g.output(squares, names.gradientNormSquared, []);
}

/**
 * Values of the scalar inputs for a batch of n examples. With s the scale of Δ̄ (1/n for a
 * loss head, 1 for an upstream head): moment c_m = (1/n)/s², Gram c_g = 1/s², feature
 * gradient c_f = (1/n)/s.
 */
export function scalarValue(name: string, n: number, head: GraphSignature['head']): number {
  const s = head === 'loss' ? 1 / n : 1;
  switch (name) {
    case names.batchScale:
      return 1 / n;
    case names.momentScale:
      return 1 / n / (s * s);
    case names.gramScale:
      return 1 / (s * s);
    case names.featureScale:
      return 1 / n / s;
    default:
      throw new Error(`unknown scalar input '${name}'`);
  }
}

/** Per-example weights w become w̃ = w/s so that Aᵀ(Δ̄∘w̃) = Aᵀdiag(w)Δ. */
export const weightScale = (n: number, head: GraphSignature['head']): number => (head === 'loss' ? n : 1);
