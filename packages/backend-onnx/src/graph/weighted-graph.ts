/**
 * The weighted-gradient graph used when the weights are a function of the same pass's Gram
 * matrices: it takes each layer's activations A_l and scaled deltas Δ̄_l kept by the Gram
 * pass (in the graph's internal layout), plus the chosen weights w̃_l, and returns the
 * gradient-shaped products of A_l and Δ̄_l∘w̃_l per layer. No forward pass is repeated.
 */
import { describeSpec, type ModelSpec } from '@abs/core';
import type { ModelProto } from '../proto/onnx-proto';
import { GraphBuilder } from './graph-builder';
import { LinearStatistics, statisticDims } from './layer-statistics';
import { BATCH, names } from './names';
import { buildNetwork } from './network';
import { internalDims, layersFrom, perExample } from './training-graph';

export function buildWeightedGraph(spec: ModelSpec, start: number): ModelProto {
  const g = new GraphBuilder();
  const { parameters } = describeSpec(spec);
  let ones: string | undefined;
  const onesInput = () => {
    ones ??= g.input(names.ones, [1, BATCH]);
    return ones;
  };
  for (const info of layersFrom(buildNetwork(spec), start)) {
    const a = g.input(names.activation(info.index), internalDims(info.inputShape));
    const delta = g.input(names.delta(info.index), internalDims(info.outputShape));
    const w = perExample(g, info, g.input(names.weights(info.index), [BATCH, 1]));
    const layer = new LinearStatistics(g, info, a, delta, { ones: onesInput });
    for (const [p, value] of layer.product(g.node('Mul', [delta, w]), names.weighted)) {
      g.output(value, names.weighted(p), statisticDims(info, p, parameters[p]?.shape as number[]));
    }
  }
  return g.build(`weighted;start=${start}`);
}
