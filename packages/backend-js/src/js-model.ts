/**
 * The reference implementation of `Model`. One forward pass through the layer nodes keeps what
 * each backward step needs; one backward pass carries the per-example output gradients
 * δ_i = ∂ℓ_i/∂z_i of each example's own loss and hands every parameterised layer's input and δ
 * to the statistics, which then follow per layer without a second pass:
 *   mean gradient     (1/n)·Σ_i G_i                   (dense: AᵀΔ; conv: Σ_i A_iᵀΔ_i over patches)
 *   second moment     (1/n)·Σ_i G_i∘G_i, or the reference fidelity (cross-position terms dropped)
 *   ‖G_i‖² per example, Gram ⟨G_i, G_j⟩ per layer, weighted Σ_i w_i G_i
 * (see `layers/linear-statistics.ts`). Batch norm has only the mean gradient.
 */
import {
  assertRequestSupported,
  type BatchIndices,
  CAPABILITIES,
  type Capability,
  checkBatch,
  checkPredictInput,
  checkRequestLayers,
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
} from '@abs/core';
import { toFloat32 } from './kernels';
import { batchNormGradient } from './layers/batch-norm';
import { buildNodes } from './layers/build';
import { conv2dView } from './layers/conv2d';
import { denseView } from './layers/dense';
import {
  DEFAULT_STATISTICS,
  exampleNormsSquared,
  gramMatrix,
  type PatchView,
  type StatisticsOptions,
  secondMomentSums,
  weightedGradient,
} from './layers/linear-statistics';
import { type Forward, type Pass, sizeOf } from './layers/node';
import { lossAndOutputGradient } from './loss';

export const JS_CAPABILITIES: ReadonlySet<Capability> = new Set(CAPABILITIES);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function createJsModel(
  spec: ModelSpec,
  dataset: Dataset,
  options: {
    parameters: readonly Float32Array[];
    backend: string;
    compileSibling: Model<HostTensor>['compileSibling'];
    statistics?: StatisticsOptions;
  },
): Model<HostTensor> {
  const ops = createHostTensorOps(options.backend);
  checkSpecMatchesDataset(spec, dataset);
  const { parameters: parameterInfo, layers, buffers: bufferInfo, outputShape } = describeSpec(spec);
  const capabilities = modelCapabilities(spec, JS_CAPABILITIES);
  const statistics = options.statistics ?? DEFAULT_STATISTICS;
  const nodes = buildNodes(spec);
  const outputs = outputShape[0] as number;
  const width = featureSize(dataset);
  const shapes = parameterInfo.map((p) => p.shape);
  const lengthsAsShapes = (what: readonly { readonly shape: readonly number[] }[], values: readonly Float32Array[]) =>
    values.map((v, i) => (v.length === sizeOf(what[i]?.shape ?? [-1]) ? (what[i]?.shape as number[]) : [v.length]));
  checkShapes('parameters', shapes, lengthsAsShapes(parameterInfo, options.parameters));
  let parameters: HostTensor[] = options.parameters.map((p, i) =>
    hostTensor(Float32Array.from(p), shapes[i] as number[]),
  );
  let buffers: Float32Array[] = initializeBuffers(spec);
  let disposed = false;
  /** Every method but `dispose` and `compileSibling` fails with a typed error once disposed. */
  const live = (method: string) => {
    if (disposed) throw new DisposedModelError({ backend: options.backend, method });
  };

  function gather(indices: Int32Array): Float64Array {
    const x = new Float64Array(indices.length * width);
    for (let i = 0; i < indices.length; i++) {
      const k = indices[i] as number;
      for (let j = 0; j < width; j++) x[i * width + j] = dataset.features[k * width + j] as number;
    }
    return x;
  }

  /** Forward through the top-level nodes from `start`, keeping the input of node `keep`. */
  function forward(pass: Pass, x: Float64Array, n: number, start: number, keep?: number) {
    const steps: Forward[] = [];
    let kept: Float64Array | undefined;
    let y = x;
    for (let k = start; k < nodes.length; k++) {
      if (k === keep) kept = y;
      const step = (nodes[k] as (typeof nodes)[number]).forward(y, n, pass);
      steps.push(step);
      y = step.y;
    }
    return { steps, output: y, kept };
  }

  function viewOf(info: LayerInfo, input: Float64Array, delta: Float64Array, n: number): PatchView {
    return info.kind === 'conv2d' ? conv2dView(info, input, delta, n) : denseView(info, input, delta, n);
  }

  async function evaluate(
    batch: BatchIndices,
    request: EvaluateRequest<HostTensor> = {},
  ): Promise<EvaluateResult<HostTensor>> {
    live('evaluate');
    const indices = checkBatch(batch, dataset.size, `${options.backend}.evaluate`);
    const n = indices.length;
    assertRequestSupported({ backend: options.backend, capabilities, spec }, request);
    const params = request.parameters ?? parameters;
    if (request.parameters)
      checkShapes(
        'request.parameters',
        shapes,
        request.parameters.map((p) => p.shape),
      );
    checkRequestLayers(request, layers);
    const replace = request.replaceFeatures;
    const replaced = replace ? (layers[replace.layer] as LayerInfo) : undefined;
    let input: Float64Array;
    if (replace && replaced) {
      const flat = replace.features.shape.length === 2;
      const expected = flat ? [n, replaced.inputSize] : [n, ...replaced.inputShape];
      checkShapes('replaceFeatures.features', [expected], [replace.features.shape]);
      input = Float64Array.from(replace.features.data);
    } else {
      input = gather(indices);
    }
    if (request.outputGradient) checkShapes('outputGradient', [[n, outputs]], [request.outputGradient.shape]);

    const wantsGradient =
      request.gradient ||
      request.secondMoment ||
      request.gram ||
      request.perExampleGradientNormSquared ||
      request.exampleWeights !== undefined ||
      request.outputGradient !== undefined;
    const records = new Map<number, { input: Float64Array; delta: Float64Array }>();
    const staged = buffers.map((b) => b.slice());
    const pass: Pass = {
      params,
      buffers: staged,
      mode: 'train',
      updateRunning:
        (request.runningStatistics ?? (wantsGradient && !request.parameters && !replace ? 'update' : 'keep')) ===
        'update',
      record: (layer, x, delta) => records.set(layer, { input: x, delta }),
    };
    const start = replaced?.sequenceIndex ?? 0;
    const keep = request.features ? layers[request.features.layer]?.sequenceIndex : undefined;
    const fwd = forward(pass, input, n, start, keep);
    const z = fwd.output;
    const result: Mutable<EvaluateResult<HostTensor>> = { batchSize: n, loss: Number.NaN };

    let delta: Float64Array;
    if (request.outputGradient) {
      delta = Float64Array.from(request.outputGradient.data);
    } else {
      const l = lossAndOutputGradient(spec.loss, z, outputs, { dataset, indices });
      let sum = 0;
      for (let i = 0; i < n; i++) sum += l.perExample[i] as number;
      result.loss = sum / n;
      if (request.perExampleLoss) result.perExampleLoss = l.perExample;
      delta = l.delta;
    }
    // Running averages change only after a pass whose loss is finite.
    if (pass.updateRunning && (request.outputGradient || Number.isFinite(result.loss))) buffers = staged;
    if (request.features) {
      const info = layers[request.features.layer] as LayerInfo;
      result.features = hostTensor(toFloat32(fwd.kept as Float64Array), [n, ...info.inputShape]);
    }
    if (request.outputs) result.outputs = hostTensor(toFloat32(z), [n, outputs]);
    if (!wantsGradient && !replace) return result;

    let g: Float64Array | undefined = delta;
    for (let k = fwd.steps.length - 1; k >= 0; k--) {
      g = (fwd.steps[k] as Forward).backward(g as Float64Array, k > 0 || replace !== undefined);
    }
    if (replace && replaced) {
      // ∂(mean loss)/∂features: the input gradient of the replaced layer's node, over n.
      const shape = replace.features.shape.length === 2 ? [n, replaced.inputSize] : [n, ...replaced.inputShape];
      result.featureGradient = hostTensor(toFloat32(g as Float64Array, 1 / n), shape);
    }
    if (!wantsGradient) return result;

    const gradient: HostTensor[] = [];
    const second: HostTensor[] = [];
    const grams: Float64Array[] = [];
    const norms: Float64Array[] = [];
    const put = (list: HostTensor[], info: LayerInfo, values: Float64Array[], scale: number) => {
      values.forEach((v, j) => {
        const p = info.parameters[j] as number;
        list[p] = hostTensor(toFloat32(v, scale), shapes[p] as number[]);
      });
    };
    const fidelity = typeof request.secondMoment === 'object' ? request.secondMoment.fidelity : 'exact';
    for (const info of layers) {
      const record = records.get(info.index);
      if (!record) continue;
      if (request.gradient || request.outputGradient) {
        const sums =
          info.kind === 'batchNorm'
            ? batchNormGradient(record.input, record.delta, info.outputShape.at(-1) as number)
            : weightedGradient(viewOf(info, record.input, record.delta, n));
        put(gradient, info, sums, request.outputGradient ? 1 : 1 / n);
      }
      if (info.kind === 'batchNorm') continue;
      const view = viewOf(info, record.input, record.delta, n);
      if (request.secondMoment) put(second, info, secondMomentSums(view, fidelity), 1 / n);
      if (request.gram) grams[info.index] = gramMatrix(view, statistics);
      if (request.perExampleGradientNormSquared) {
        exampleNormsSquared(view, statistics).forEach((v, j) => {
          norms[info.parameters[j] as number] = v;
        });
      }
    }
    if (request.gradient || request.outputGradient) result.gradient = gradient;
    if (request.secondMoment) result.secondMoment = second;
    if (request.gram) result.gram = grams;
    if (request.perExampleGradientNormSquared) result.perExampleGradientNormSquared = norms;
    const weightsSpec = request.exampleWeights;
    if (weightsSpec !== undefined) {
      const raw = typeof weightsSpec === 'function' ? weightsSpec(request.gram ? grams : []) : weightsSpec;
      const weights = resolveExampleWeights(raw, layers.length, n);
      const weighted: HostTensor[] = [];
      for (const info of layers) {
        const record = records.get(info.index);
        if (!record) continue;
        const view = viewOf(info, record.input, record.delta, n);
        put(weighted, info, weightedGradient(view, weights[info.index]), 1);
      }
      result.weightedGradient = weighted;
    }
    return result;
  }

  const checkBuffers = (what: string, values: readonly Float32Array[]) =>
    checkShapes(
      what,
      bufferInfo.map((b) => b.shape),
      lengthsAsShapes(bufferInfo, values),
    );

  return {
    specificationVersion: 'abs-model-v1',
    backend: options.backend,
    ops,
    spec,
    dataset,
    capabilities,
    parameterInfo,
    layers,
    bufferInfo,
    get parameters() {
      live('parameters');
      return parameters;
    },
    setParameters(next) {
      live('setParameters');
      checkShapes(
        'setParameters',
        shapes,
        next.map((p) => p.shape),
      );
      parameters = [...next];
    },
    readParameters: async () => {
      live('readParameters');
      return parameters.map((p) => Float32Array.from(p.data));
    },
    writeParameters(values) {
      live('writeParameters');
      checkShapes('writeParameters', shapes, lengthsAsShapes(parameterInfo, values));
      parameters = values.map((v, i) => hostTensor(Float32Array.from(v), shapes[i] as number[]));
    },
    readBuffers: async () => {
      live('readBuffers');
      return buffers.map((b) => b.slice());
    },
    writeBuffers(values) {
      live('writeBuffers');
      checkBuffers('writeBuffers', values);
      buffers = values.map((v) => Float32Array.from(v));
    },
    evaluate,
    async predict(features, count) {
      live('predict');
      const n = checkPredictInput(features, count, width, `${options.backend}.predict`);
      const pass: Pass = { params: parameters, buffers, mode: 'infer', updateRunning: false, record: () => {} };
      return toFloat32(forward(pass, Float64Array.from(features), n, 0).output);
    },
    compileSibling: options.compileSibling,
    dispose() {
      disposed = true;
      parameters = [];
      buffers = [];
    },
  };
}
