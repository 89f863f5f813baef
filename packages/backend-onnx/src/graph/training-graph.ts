/**
 * Generates the ONNX graph of one request signature: forward pass, per-example losses,
 * backward pass and the requested statistics, all in one graph whose parameters, batch and
 * scalars are inputs (batch size is the symbolic dimension `batch`).
 */
import { type DenseStack, describeSpec } from '@abs/core';
import type { ModelProto } from '../proto/onnx-proto';
import { addBackward } from './backward-graph';
import { addForward } from './forward-graph';
import { GraphBuilder } from './graph-builder';
import { addLoss } from './loss-graph';
import { BATCH, names } from './names';
import { type GraphSignature, needsBackward, signatureKey } from './signature';

export function buildTrainingGraph(spec: DenseStack, signature: GraphSignature): ModelProto {
  const g = new GraphBuilder();
  const { parameters, layers } = describeSpec(spec.source);
  const depth = layers.length;
  const outputSize = spec.layerSizes[depth] as number;
  const declared = new Map<string, string>();
  const once = (name: string, dims: readonly (number | string)[]) => {
    const known = declared.get(name);
    if (known) return known;
    const created = g.input(name, dims);
    declared.set(name, created);
    return created;
  };
  const parameter = (p: number) => once(names.parameter(p), parameters[p]?.shape ?? []);
  const weight = (l: number) => parameter(layers[l]?.parameters[0] as number);
  const bias = (l: number) => (spec.bias ? parameter(layers[l]?.parameters[1] as number) : undefined);
  const scalarInput = (name: string) => once(name, [1]);
  const ones = () => once(names.ones, [1, BATCH]);

  const start = signature.start;
  const x = g.input(names.input, [BATCH, layers[start]?.inputSize as number]);
  const forward = addForward(g, spec, {
    input: x,
    start,
    weight,
    bias,
    ...(signature.outputs ? { outputName: names.outputs } : {}),
  });
  if (signature.outputs) g.output(forward.output, names.outputs, [BATCH, outputSize]);
  if (signature.features !== undefined) {
    const layer = signature.features;
    g.output(forward.a[layer] as string, names.features, [BATCH, layers[layer]?.inputSize as number]);
  }

  const backward = needsBackward(signature);
  let delta: string | undefined;
  if (signature.head === 'loss') {
    const target = g.input(names.target, [BATCH, outputSize]);
    const loss = addLoss(g, spec.loss, forward.output, target, backward);
    g.output(loss.perExample, names.loss, [BATCH]);
    if (loss.delta) delta = g.node('Mul', [loss.delta, scalarInput(names.batchScale)]);
  } else if (signature.head === 'upstream') {
    delta = g.input(names.upstream, [BATCH, outputSize]);
  }
  if (backward && delta)
    addBackward(g, { spec, layers, signature, forward, delta, weight, parameter, scalarInput, ones });
  return g.build(signatureKey(signature));
}

/**
 * Values of the scalar inputs for a batch of n examples. With s the scale of Δ̄ (1/n for a
 * loss head, 1 for an upstream head): moment c_m = (1/n)/s², Gram c_g = 1/s², feature
 * gradient c_f = (1/n)/s (see backward-graph.ts).
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
