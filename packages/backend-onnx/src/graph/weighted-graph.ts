/**
 * The weighted-gradient graph used when the weights are a function of the same pass's Gram
 * matrices: it takes each layer's activations A_l and scaled deltas Δ̄_l kept by the Gram
 * pass, plus the chosen weights w̃_l, and returns Aᵀ(Δ̄∘w̃) and 1ᵀ(Δ̄∘w̃) per layer.
 * No forward pass is repeated.
 */
import { type DenseStack, describeSpec } from '@abs/core';
import type { ModelProto } from '../proto/onnx-proto';
import { attr, GraphBuilder } from './graph-builder';
import { BATCH, names } from './names';

export function buildWeightedGraph(spec: DenseStack, start: number): ModelProto {
  const g = new GraphBuilder();
  const { layers } = describeSpec(spec.source);
  const ones = g.input(names.ones, [1, BATCH]);
  for (let l = start; l < layers.length; l++) {
    const { inputSize, outputSize, parameters } = layers[l] as (typeof layers)[number];
    const [pw, pb] = parameters as [number, number | undefined];
    const a = g.input(names.activation(l), [BATCH, inputSize]);
    const delta = g.input(names.delta(l), [BATCH, outputSize]);
    const weighted = g.node('Mul', [delta, g.input(names.weights(l), [BATCH, 1])]);
    g.output(g.node('Gemm', [a, weighted], { transA: attr.int(1) }, names.weighted(pw)), names.weighted(pw), [
      inputSize,
      outputSize,
    ]);
    if (pb !== undefined) {
      g.output(g.node('MatMul', [ones, weighted], {}, names.weighted(pb)), names.weighted(pb), [1, outputSize]);
    }
  }
  return g.build(`weighted;start=${start}`);
}
