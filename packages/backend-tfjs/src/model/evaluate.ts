/**
 * `Model.evaluate` for tfjs: plan (all checks, no tensors) → one device pass → one
 * asynchronous read of the small results (per-example losses and Gram matrices, packed in
 * one vector) → for weights chosen from the Gram, the weighted gradient from the same pass's
 * retained inputs and output gradients. Mean loss and Gram entries are returned in float64.
 */
import {
  type BatchIndices,
  type Capability,
  type EvaluateRequest,
  type EvaluateResult,
  type LayerInfo,
  type ModelSpec,
  resolveExampleWeights,
} from '@abs/core';
import type { Tensor, Tensor2D, TensorFlow } from '../tfjs-namespace';
import type { DatasetTensors } from './dataset-tensors';
import type { createNetworkPass, PassInput, PassOutput } from './network-pass';
import { planRequest, type RequestPlan } from './request-plan';

/** `T` with writable properties, for results filled in step by step. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface EvaluateContext {
  readonly tf: TensorFlow;
  readonly name: string;
  readonly spec: ModelSpec;
  readonly capabilities: ReadonlySet<Capability>;
  readonly layers: readonly LayerInfo[];
  readonly shapes: readonly (readonly number[])[];
  readonly outputs: number;
  readonly datasetSize: number;
  readonly data: () => DatasetTensors;
  readonly parameters: () => readonly Tensor[];
  readonly buffers: () => readonly Tensor[];
  /** Takes over new running averages (a pass with a finite loss that updates them). */
  readonly commitBuffers: (staged: Tensor[]) => void;
  readonly pass: ReturnType<typeof createNetworkPass>;
}

function disposeRetained(out: PassOutput): void {
  for (const r of out.retained ?? []) {
    r?.input.dispose();
    r?.delta.dispose();
  }
}

/** Σ_i w_i g_i per layer from retained inputs and Δ̃ (weights divided by the pass scale s). */
function weightedFromRetained(context: EvaluateContext, out: PassOutput, weights: readonly Float32Array[]): Tensor[] {
  const { tf, layers } = context;
  const weighted: Tensor[] = [];
  const kept: Tensor[] = [];
  try {
    tf.tidy(() => {
      (out.retained ?? []).forEach((r, l) => {
        const info = layers[l] as LayerInfo;
        const scaled = tf.tensor1d((weights[l] as Float32Array).map((v) => v / out.scale));
        context.pass.weightedOf(info, r.input, r.delta, scaled).forEach((t, j) => {
          weighted[info.parameters[j] as number] = tf.keep(t);
          kept.push(t);
        });
      });
    });
  } catch (error) {
    for (const t of kept) t.dispose();
    throw error;
  }
  return weighted;
}

/** The statistics `request` may ask besides what `evaluate` returns as tensors. */
type PassExtras = Pick<PassInput, 'varianceMoments'>;

/**
 * Plans `request` (every check, no tensors) and runs its device pass. `where` names the method
 * in errors; `extras` asks the pass for what only `sgdStep` uses.
 */
export function startPass(
  context: EvaluateContext,
  batch: BatchIndices,
  request: EvaluateRequest<Tensor>,
  where: string,
  extras: PassExtras = {},
): { plan: RequestPlan; out: PassOutput } {
  const { layers } = context;
  const plan = planRequest(batch, request, {
    name: context.name,
    spec: context.spec,
    capabilities: context.capabilities,
    outputs: context.outputs,
    where,
    datasetSize: context.datasetSize,
    layers,
    shapes: context.shapes,
    parameters: context.parameters(),
  });
  const data = context.data();
  const defaultRule = plan.lowest !== undefined && !request.parameters && !request.replaceFeatures;
  const out = context.pass.run(
    {
      plan,
      features: data.features,
      targets: data.targets,
      ...(request.replaceFeatures ? { replaced: request.replaceFeatures.features } : {}),
      ...(request.outputGradient ? { upstream: request.outputGradient as Tensor2D } : {}),
      secondMoment: request.secondMoment
        ? typeof request.secondMoment === 'object'
          ? request.secondMoment.fidelity
          : 'exact'
        : undefined,
      gram: Boolean(request.gram),
      exampleNorms: Boolean(request.perExampleGradientNormSquared),
      ...extras,
      ...(request.features ? { featuresLayer: request.features.layer } : {}),
      outputs: Boolean(request.outputs),
      updateRunning:
        context.buffers().length > 0 && (request.runningStatistics ?? (defaultRule ? 'update' : 'keep')) === 'update',
    },
    plan.parameters,
    context.buffers(),
  );
  return { plan, out };
}

/**
 * The mean loss (float64), per-example losses, Gram matrices and norms from the front of the
 * pass's readback, as `PassOutput.readback` packs them; `end` is where they stop.
 */
export function unpackReadback(
  values: Float32Array,
  plan: RequestPlan,
  request: EvaluateRequest<Tensor>,
  layers: readonly LayerInfo[],
): Pick<EvaluateResult<Tensor>, 'loss' | 'perExampleLoss' | 'gram' | 'perExampleGradientNormSquared'> & {
  end: number;
} {
  const { n } = plan;
  const result: Mutable<ReturnType<typeof unpackReadback>> = { loss: Number.NaN, end: 0 };
  let offset = 0;
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
  result.end = offset;
  return result;
}

/** Frees everything a pass returned (its readback and every tensor the caller has not taken). */
export function disposeOutput(out: PassOutput): void {
  const lists = [out.gradient, out.secondMoment, out.weightedGradient, out.staged];
  for (const list of lists) for (const t of list ?? []) t?.dispose();
  for (const t of [out.readback, out.varianceMoments, out.features, out.outputs, out.featureGradient]) t?.dispose();
  disposeRetained(out);
}

export async function evaluateOnDevice(
  context: EvaluateContext,
  batch: BatchIndices,
  request: EvaluateRequest<Tensor>,
): Promise<EvaluateResult<Tensor>> {
  const { plan, out } = startPass(context, batch, request, 'evaluate');
  const result: Mutable<EvaluateResult<Tensor>> = { batchSize: plan.n, loss: Number.NaN };
  try {
    const values = out.readback ? await out.readback.data() : new Float32Array(0);
    const { end: _, ...read } = unpackReadback(values as Float32Array, plan, request, context.layers);
    Object.assign(result, read);
    if (plan.weightsFromGram) {
      const weights = resolveExampleWeights(plan.weightsFromGram(read.gram ?? []), context.layers.length, plan.n);
      result.weightedGradient = weightedFromRetained(context, out, weights);
    }
  } catch (error) {
    disposeOutput(out);
    throw error;
  }
  out.readback?.dispose();
  disposeRetained(out);
  if (out.staged) {
    // Running averages change only after a pass whose loss is finite.
    if (request.outputGradient || Number.isFinite(result.loss)) context.commitBuffers(out.staged);
    else for (const t of out.staged) t.dispose();
  }
  if (out.gradient) result.gradient = out.gradient;
  if (out.secondMoment) result.secondMoment = out.secondMoment;
  if (out.weightedGradient) result.weightedGradient = out.weightedGradient;
  if (out.features) result.features = out.features;
  if (out.outputs) result.outputs = out.outputs;
  if (out.featureGradient) result.featureGradient = out.featureGradient;
  return result;
}
