/**
 * `Model` for sequential specs on onnxruntime: parameters and batch-norm running averages live
 * in host memory and are fed to cached generated graphs as inputs (no copies), one session per
 * request signature. Every statistic comes out of one run; weights chosen from the same pass's
 * Gram matrices take a second, small run over the activations and deltas that pass kept.
 * Running averages follow the reference backend: a training pass (one that asks for a gradient
 * at the model's own parameters, or `runningStatistics: 'update'`) folds its batch statistics
 * in, r ← momentum·r + (1 − momentum)·batch value, only when its loss is finite.
 */
import {
  assertRequestSupported,
  type BatchIndices,
  type BatchNormLayer,
  CAPABILITIES,
  type Capability,
  checkBatch,
  checkPredictInput,
  checkShapes,
  checkSpecMatchesDataset,
  createHostTensorOps,
  type Dataset,
  DisposedModelError,
  describeSpec,
  type EvaluateRequest,
  type EvaluateResult,
  featureSize,
  type HostTensor,
  hostTensor,
  initializeBuffers,
  type LayerInfo,
  type Model,
  type ModelSpec,
  modelCapabilities,
  resolveExampleWeights,
  resolveGradientVariance,
  resolveSgdStep,
  type SgdStep,
  type SgdStepRequest,
  type SgdStepResult,
} from '@abs/core';
import { gatherRows, gatherTargets } from './batch-inputs';
import { buildInferenceGraph } from './export-onnx';
import { names } from './graph/names';
import { buildNetwork } from './graph/network';
import { type GraphSignature, signatureKey } from './graph/signature';
import { buildTrainingGraph, layersFrom, scalarValue, weightScale } from './graph/training-graph';
import { buildWeightedGraph } from './graph/weighted-graph';

import { planRequest } from './request-plan';
import type { Runtime } from './runtime/load-runtime';
import { SessionCache, type SessionStats } from './runtime/session-cache';

export const ONNX_CAPABILITIES: ReadonlySet<Capability> = new Set(CAPABILITIES);

/** A compiled onnxruntime model: core's `Model` plus session statistics. */
export interface OnnxModel extends Model<HostTensor> {
  /** The execution providers the sessions run on, in order of preference. */
  readonly executionProviders: readonly string[];
  /** Sessions built and runs made so far (one session per distinct request signature). */
  sessionStats(): SessionStats;
}

type Feeds = Record<string, InstanceType<Runtime['ort']['Tensor']>>;
type Outputs = Awaited<ReturnType<SessionCache['run']>>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Mean of per-example losses, accumulated in float64. */
function meanLoss(perExample: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < perExample.length; i++) sum += perExample[i] as number;
  return sum / perExample.length;
}

export function createOnnxModel(
  spec: ModelSpec,
  dataset: Dataset,
  options: {
    readonly runtime: Runtime;
    readonly parameters: readonly Float32Array[];
    readonly compileSibling: Model<HostTensor>['compileSibling'];
  },
): OnnxModel {
  checkSpecMatchesDataset(spec, dataset);
  const { runtime } = options;
  const name = runtime.name;
  const ops = createHostTensorOps(name);
  const {
    parameters: parameterInfo,
    layers,
    buffers: bufferInfo,
    inputShape,
    outputShape,
    batchNorm,
  } = describeSpec(spec);
  const capabilities = modelCapabilities(spec, ONNX_CAPABILITIES);
  const nodes = buildNetwork(spec);
  const shapes = parameterInfo.map((p) => p.shape);
  const bufferShapes = bufferInfo.map((b) => b.shape);
  const lengthsAsShapes = (expected: readonly (readonly number[])[], values: readonly Float32Array[]) =>
    values.map((v, i) => {
      const shape = expected[i] ?? [-1];
      return v.length === shape.reduce((a, b) => a * b, 1) ? (shape as number[]) : [v.length];
    });
  checkShapes('parameters', shapes, lengthsAsShapes(shapes, options.parameters));
  let parameters: HostTensor[] = options.parameters.map((p, i) => hostTensor(p.slice(), shapes[i] as number[]));
  let buffers: Float32Array[] = initializeBuffers(spec);
  /** Bumped whenever parameters or buffers change: predict's session holds them as initializers. */
  let stateVersion = 0;
  const depth = layers.length;
  const outputSize = outputShape[0] as number;
  const width = featureSize(dataset);
  const cache = new SessionCache(runtime);
  let disposed = false;
  const { Tensor } = runtime.ort;
  const tensor = (data: Float32Array, dims: readonly number[]) => new Tensor('float32', data, dims);

  function assertLive(where: string): void {
    if (disposed) throw new DisposedModelError({ backend: name, method: where });
  }

  const read = (out: Outputs, key: string) => out[key]?.data as Float32Array | undefined;

  /** Feeds for every input the session declares, by the naming convention of graph/names.ts. */
  function feedsFor(
    inputNames: readonly string[],
    values: { x: Float32Array; n: number; head: GraphSignature['head']; params: readonly HostTensor[] },
    extra: (input: string) => Feeds[string] | undefined,
  ): Feeds {
    const feeds: Feeds = {};
    for (const input of inputNames) {
      const param = /^param_(\d+)$/.exec(input);
      if (param) {
        const p = values.params[Number(param[1])] as HostTensor;
        feeds[input] = tensor(p.data, p.shape);
      } else if (input === names.input) {
        feeds[input] = tensor(values.x, [values.n, values.x.length / values.n]);
      } else if (input === names.ones) {
        feeds[input] = tensor(new Float32Array(values.n).fill(1), [1, values.n]);
      } else if (input.endsWith('_scale')) {
        feeds[input] = tensor(Float32Array.of(scalarValue(input, values.n, values.head)), [1]);
      } else {
        const value = extra(input);
        if (!value) throw new Error(`${name}: no value for graph input '${input}'`);
        feeds[input] = value;
      }
    }
    return feeds;
  }

  /** Σ w_i g_i from kept activations and deltas, for weights chosen from the Gram matrices. */
  async function weightedFromKept(
    out: Outputs,
    context: { n: number; start: number; weights: readonly Float32Array[]; scale: number },
  ): Promise<Outputs> {
    const session = await cache.get(`weighted;start=${context.start}`, () => buildWeightedGraph(spec, context.start));
    const feeds: Feeds = {};
    for (const input of session.inputNames) {
      const layer = /^weights_(\d+)$/.exec(input);
      if (input === names.ones) feeds[input] = tensor(new Float32Array(context.n).fill(1), [1, context.n]);
      else if (layer) {
        const w = (context.weights[Number(layer[1])] as Float32Array).map((v) => v * context.scale);
        feeds[input] = tensor(w, [context.n, 1]);
      } else feeds[input] = out[input] as Feeds[string];
    }
    return cache.run(session, feeds);
  }

  const evaluate = (batch: BatchIndices, request: EvaluateRequest<HostTensor> = {}) =>
    pass(batch, request, 'evaluate').then((r) => r.result);

  /**
   * One run of the graph for `request`, plus, with `step`, the SGD update of the same pass (and
   * ξ when `step.variance` says how; normalised by ‖∇‖, or ε where it is 0, when
   * `step.normalizeEpsilon` is set): taken (the model's parameters replaced) only when the loss
   * is finite and ≥ 0 and ‖∇‖², ξ and the new parameters are finite.
   */
  async function pass(
    batch: BatchIndices,
    request: EvaluateRequest<HostTensor>,
    where: string,
    step?: {
      readonly learningRate: number;
      readonly weightDecay: number;
      readonly normalizeEpsilon: number | null;
      readonly variance: GraphSignature['variance'];
    },
  ): Promise<{
    result: EvaluateResult<HostTensor>;
    gradientNormSquared?: number;
    gradientVariance?: number;
    applied?: boolean;
  }> {
    assertLive(where);
    const indices = checkBatch(batch, dataset.size, `${name}.${where}`);
    const n = indices.length;
    assertRequestSupported({ backend: name, capabilities, spec }, request);
    const params = request.parameters ?? parameters;
    const plan = planRequest(request, { layers, n, outputs: outputSize, parameterShapes: shapes });
    const wantsGradient =
      step !== undefined ||
      plan.signature.gradient ||
      plan.signature.secondMoment ||
      plan.signature.gram ||
      plan.signature.exampleNorms ||
      plan.signature.weights !== 'none';
    const updateRunning =
      batchNorm !== undefined &&
      (request.runningStatistics ??
        (wantsGradient && !request.parameters && !request.replaceFeatures ? 'update' : 'keep')) === 'update';
    const sig: GraphSignature = {
      ...plan.signature,
      ...(step ? { step: step.weightDecay > 0 ? 'sgd-decay' : 'sgd' } : {}),
      ...(step && step.normalizeEpsilon !== null ? { normalize: true } : {}),
      ...(step?.variance ? { variance: step.variance } : {}),
      ...(updateRunning ? { batchStatistics: true } : {}),
    };
    const replace = request.replaceFeatures;
    const x = replace ? replace.features.data : gatherRows(dataset.features, indices, width);
    const scale = weightScale(n, sig.head);

    const session = await cache.get(signatureKey(sig), () => buildTrainingGraph(spec, sig));
    const feeds = feedsFor(session.inputNames, { x, n, head: sig.head, params }, (input) => {
      if (input === names.target)
        return tensor(gatherTargets(dataset, spec.loss, indices, outputSize), [n, outputSize]);
      if (input === names.upstream) return tensor((request.outputGradient as HostTensor).data, [n, outputSize]);
      if (step && input === names.stepRate) return tensor(Float32Array.of(step.learningRate), [1]);
      if (step && input === names.stepKeep)
        return tensor(Float32Array.of(1 - step.learningRate * step.weightDecay), [1]);
      if (step?.normalizeEpsilon && input === names.stepEpsilon)
        return tensor(Float32Array.of(step.normalizeEpsilon), [1]);
      const layer = /^weights_(\d+)$/.exec(input);
      if (layer && plan.weights) {
        return tensor(
          (plan.weights[Number(layer[1])] as Float32Array).map((v) => v * scale),
          [n, 1],
        );
      }
      return undefined;
    });
    const out = await cache.run(session, feeds);

    const result: Mutable<EvaluateResult<HostTensor>> = { batchSize: n, loss: Number.NaN };
    const perExample = read(out, names.loss);
    if (perExample) {
      result.loss = meanLoss(perExample);
      if (request.perExampleLoss) result.perExampleLoss = new Float64Array(perExample);
    }
    // Running averages change only after a pass whose loss is finite.
    if (updateRunning && (sig.head === 'upstream' || Number.isFinite(result.loss))) {
      stateVersion += 1;
      buffers = bufferInfo.map((info, b) => {
        const momentum = ((layers[info.layer] as LayerInfo).spec as BatchNormLayer).momentum;
        const batchValue = read(out, names.batchStatistic(b));
        const running = buffers[b] as Float32Array;
        if (!batchValue) return running;
        return running.map((r, j) => momentum * r + (1 - momentum) * (batchValue[j] as number));
      });
    }
    const collect = (key: (p: number) => string, source: Outputs) => {
      const list: HostTensor[] = [];
      parameterInfo.forEach((_, p) => {
        const data = read(source, key(p));
        if (data) list[p] = hostTensor(data, shapes[p] as number[]);
      });
      return list;
    };
    if (sig.gradient) result.gradient = collect(names.gradient, out);
    if (sig.secondMoment) result.secondMoment = collect(names.moment, out);
    if (sig.exampleNorms) {
      const norms: Float64Array[] = [];
      parameterInfo.forEach((_, p) => {
        const data = read(out, names.exampleNorm(p));
        if (data) norms[p] = new Float64Array(data);
      });
      result.perExampleGradientNormSquared = norms;
    }
    if (sig.weights === 'input') result.weightedGradient = collect(names.weighted, out);
    if (sig.gram) {
      const grams: Float64Array[] = [];
      for (const info of layersFrom(nodes, sig.start)) {
        grams[info.index] = new Float64Array(read(out, names.gram(info.index)) as Float32Array);
      }
      result.gram = grams;
      if (plan.weightsFromGram) {
        const weights = resolveExampleWeights(plan.weightsFromGram(grams), depth, n);
        const weighted = await weightedFromKept(out, { n, start: sig.start, weights, scale });
        result.weightedGradient = collect(names.weighted, weighted);
      }
    }
    if (request.features) {
      const info = layers[request.features.layer] as (typeof layers)[number];
      const data = sig.features === undefined ? (replace ? x.slice() : x) : read(out, names.features);
      result.features = hostTensor(data as Float32Array, [n, ...info.inputShape]);
    }
    if (replace) {
      const data = read(out, names.featureGradient) as Float32Array;
      result.featureGradient = hostTensor(data, [...replace.features.shape]);
    }
    if (sig.outputs) result.outputs = hostTensor(read(out, names.outputs) as Float32Array, [n, outputSize]);
    if (!step) return { result };
    const scalar = (key: string) => (read(out, key) as Float32Array)[0] as number;
    const gradientNormSquared = scalar(names.gradientNormSquared);
    const gradientVariance = sig.variance ? scalar(names.gradientVariance) : undefined;
    const applied =
      Number.isFinite(result.loss) &&
      result.loss >= 0 &&
      Number.isFinite(gradientNormSquared) &&
      (gradientVariance === undefined || Number.isFinite(gradientVariance)) &&
      Number.isFinite(scalar(names.updatedCheck));
    if (applied) {
      stateVersion += 1;
      parameters = parameterInfo.map((_, p) =>
        hostTensor(read(out, names.updated(p)) as Float32Array, shapes[p] as number[]),
      );
    }
    return { result, gradientNormSquared, applied, ...(gradientVariance === undefined ? {} : { gradientVariance }) };
  }

  /**
   * `Model.sgdStep`: the update is part of the training graph; the gradient leaves it only when
   * asked. ξ, when asked, is reduced in the same graph from the per-example squared norms (the
   * exact second moments sum to the same number, so a `'secondMoment'` resolution takes them
   * too) or from the reference fidelity's moments: one scalar comes back. A normalised step
   * (`normalize: { epsilon }`) divides ∇ by n = ‖∇‖ in the same graph, ε fed as a scalar.
   */
  async function sgdStep(
    batch: BatchIndices,
    step: SgdStep,
    request: SgdStepRequest = {},
  ): Promise<SgdStepResult<HostTensor>> {
    assertLive('sgdStep');
    const { learningRate, weightDecay, normalizeEpsilon } = resolveSgdStep(step, `${name}.sgdStep`);
    const resolved = resolveGradientVariance({ backend: name, capabilities, spec }, request);
    const variance = resolved === undefined ? undefined : resolved === 'reference' ? 'reference' : 'norms';
    const statistics: EvaluateRequest<HostTensor> = {
      perExampleLoss: request.perExampleLoss === true,
      gradient: request.gradient === true,
      secondMoment: request.secondMoment ?? false,
      gram: request.gram === true,
    };
    const { result, gradientNormSquared, gradientVariance, applied } = await pass(batch, statistics, 'sgdStep', {
      learningRate,
      weightDecay,
      normalizeEpsilon,
      variance,
    });
    const { batchSize: _, ...rest } = result;
    return {
      ...rest,
      gradientNormSquared: gradientNormSquared as number,
      ...(gradientVariance === undefined ? {} : { gradientVariance }),
      applied: applied as boolean,
    };
  }

  return {
    specificationVersion: 'abs-model-v1',
    backend: name,
    ops,
    spec,
    dataset,
    capabilities,
    parameterInfo,
    layers,
    executionProviders: runtime.executionProviders,
    get parameters() {
      return parameters;
    },
    setParameters(next) {
      checkShapes(
        'setParameters',
        shapes,
        next.map((p) => p.shape),
      );
      parameters = [...next];
      stateVersion += 1;
    },
    readParameters: async () => parameters.map((p) => p.data.slice()),
    writeParameters(values) {
      checkShapes('writeParameters', shapes, lengthsAsShapes(shapes, values));
      parameters = values.map((v, i) => hostTensor(v.slice(), shapes[i] as number[]));
      stateVersion += 1;
    },
    bufferInfo,
    readBuffers: async () => buffers.map((b) => b.slice()),
    writeBuffers(values) {
      checkShapes('writeBuffers', bufferShapes, lengthsAsShapes(bufferShapes, values));
      buffers = values.map((v) => v.slice());
      stateVersion += 1;
    },
    evaluate,
    sgdStep,
    async predict(features, count) {
      assertLive('predict');
      const n = checkPredictInput(features, count, width, `${name}.predict`);
      if (n === 0) return new Float32Array(0);
      // The exported model's graph, so exportOnnx predicts exactly this.
      const session = await cache.versioned('predict', stateVersion, () =>
        buildInferenceGraph(
          spec,
          parameters.map((p) => p.data),
          buffers,
        ),
      );
      const input = tensor(features, [n, ...inputShape]);
      return read(await cache.run(session, { input }), 'logits') as Float32Array;
    },
    compileSibling: options.compileSibling,
    sessionStats: () => cache.stats(),
    dispose() {
      disposed = true;
      cache.dispose();
    },
  };
}
