/**
 * `Model.evaluate` for tfjs: plan (all checks, no tensors) → one device pass → one
 * asynchronous read of the small results (per-example losses and Gram matrices, packed in
 * one vector) → for weights chosen from the Gram, the weighted gradient from the same pass's
 * retained inputs and output gradients. Mean loss and Gram entries are returned in float64.
 */
import {
  type BatchIndices,
  type EvaluateRequest,
  type EvaluateResult,
  type LayerInfo,
  resolveExampleWeights,
} from '@abs/core';
import type { Tensor, Tensor2D, TensorFlow } from '../tfjs-namespace';
import type { DatasetTensors } from './dataset-tensors';
import type { DenseMath } from './dense-math';
import type { createDensePass, PassOutput } from './dense-pass';
import { planRequest } from './request-plan';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface EvaluateContext {
  readonly tf: TensorFlow;
  readonly name: string;
  readonly layers: readonly LayerInfo[];
  readonly shapes: readonly (readonly number[])[];
  readonly datasetSize: number;
  readonly data: () => DatasetTensors;
  readonly parameters: () => readonly Tensor[];
  readonly pass: ReturnType<typeof createDensePass>;
  readonly math: DenseMath;
}

function disposeOutput(out: PassOutput): void {
  const lists = [out.gradient, out.secondMoment, out.weightedGradient];
  for (const list of lists) for (const t of list ?? []) t?.dispose();
  for (const t of [out.readback, out.features, out.outputs, out.featureGradient]) t?.dispose();
  for (const r of out.retained ?? []) {
    r?.at.dispose();
    r?.delta.dispose();
  }
}

/** Σ_i w_i g_i per layer from retained inputs and Δ̃ (weights divided by the pass scale s). */
function weightedFromRetained(
  context: EvaluateContext,
  out: PassOutput,
  weights: readonly Float32Array[],
  n: number,
): Tensor[] {
  const { tf, layers, math } = context;
  const weighted: Tensor[] = [];
  const kept: Tensor[] = [];
  try {
    tf.tidy(() => {
      (out.retained ?? []).forEach((r, l) => {
        const [wIndex, bIndex] = (layers[l] as LayerInfo).parameters as [number, number | undefined];
        const scaled = (weights[l] as Float32Array).map((v) => v / out.scale);
        const dw = tf.mul(r.delta, tf.tensor2d(scaled, [n, 1])) as Tensor2D;
        weighted[wIndex] = tf.keep(math.productTA(r.at, dw));
        kept.push(weighted[wIndex] as Tensor);
        if (bIndex !== undefined) {
          weighted[bIndex] = tf.keep(tf.sum(dw, 0));
          kept.push(weighted[bIndex] as Tensor);
        }
      });
    });
  } catch (error) {
    for (const t of kept) t.dispose();
    throw error;
  }
  return weighted;
}

export async function evaluateOnDevice(
  context: EvaluateContext,
  batch: BatchIndices,
  request: EvaluateRequest<Tensor>,
  where = 'evaluate',
): Promise<EvaluateResult<Tensor>> {
  const { layers } = context;
  const plan = planRequest(batch, request, {
    name: context.name,
    where,
    datasetSize: context.datasetSize,
    layers,
    shapes: context.shapes,
    parameters: context.parameters(),
  });
  const { n } = plan;
  const data = context.data();
  const out = context.pass.run({
    plan,
    features: data.features,
    targets: data.targets,
    ...(request.replaceFeatures ? { replaced: request.replaceFeatures.features as Tensor2D } : {}),
    ...(request.outputGradient ? { upstream: request.outputGradient as Tensor2D } : {}),
    secondMoment: Boolean(request.secondMoment),
    gram: Boolean(request.gram),
    exampleNorms: Boolean(request.perExampleGradientNormSquared),
    ...(request.features ? { featuresLayer: request.features.layer } : {}),
    outputs: Boolean(request.outputs),
  });
  const result: Mutable<EvaluateResult<Tensor>> = { batchSize: n, loss: Number.NaN };
  try {
    let offset = 0;
    const values = out.readback ? await out.readback.data() : new Float32Array(0);
    if (!request.outputGradient) {
      const perExample = Float64Array.from(values.subarray(0, n));
      offset = n;
      result.loss = perExample.reduce((sum, v) => sum + v, 0) / n;
      if (request.perExampleLoss) result.perExampleLoss = perExample;
    }
    const grams: Float64Array[] = [];
    const norms: Float64Array[] = [];
    const take = (length: number) => {
      offset += length;
      return Float64Array.from(values.subarray(offset - length, offset));
    };
    // Packed from the top layer down, as the backward pass met them.
    for (let l = layers.length - 1; plan.lowest !== undefined && l >= plan.lowest; l--) {
      if (request.gram) grams[l] = take(n * n);
      if (request.perExampleGradientNormSquared) {
        for (const p of (layers[l] as LayerInfo).parameters) norms[p] = take(n);
      }
    }
    if (request.gram) result.gram = grams;
    if (request.perExampleGradientNormSquared) result.perExampleGradientNormSquared = norms;
    if (plan.weightsFromGram) {
      const weights = resolveExampleWeights(plan.weightsFromGram(request.gram ? grams : []), layers.length, n);
      result.weightedGradient = weightedFromRetained(context, out, weights, n);
    }
  } catch (error) {
    disposeOutput(out);
    throw error;
  }
  out.readback?.dispose();
  for (const r of out.retained ?? []) {
    r?.at.dispose();
    r?.delta.dispose();
  }
  if (out.gradient) result.gradient = out.gradient;
  if (out.secondMoment) result.secondMoment = out.secondMoment;
  if (out.weightedGradient) result.weightedGradient = out.weightedGradient;
  if (out.features) result.features = out.features;
  if (out.outputs) result.outputs = out.outputs;
  if (out.featureGradient) result.featureGradient = out.featureGradient;
  return result;
}
