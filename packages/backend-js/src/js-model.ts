/**
 * The reference implementation of `Model` for `mlp` specs. One forward pass keeps every
 * layer's input A_l and pre-activation Z_l; one backward pass produces the per-example
 * output gradients Δ_l (rows δ_i = ∂ℓ_i/∂z_i of each example's own loss), from which all
 * statistics follow without per-example loops:
 *   mean gradient      W: (1/n)·AᵀΔ            b: (1/n)·Σ_i δ_i
 *   second moment      W: (1/n)·(A∘A)ᵀ(Δ∘Δ)    b: (1/n)·Σ_i δ_i∘δ_i
 *   Gram (per layer)   (ΔΔᵀ)∘(AAᵀ + 1)          (the +1 is the bias column of [A, 1])
 *   ‖g_i‖² per example W: ‖a_i‖²‖δ_i‖²           b: ‖δ_i‖²
 *   weighted gradient  W: Aᵀdiag(w)Δ           b: Σ_i w_i δ_i
 */
import {
  type BatchIndices,
  CAPABILITIES,
  type Capability,
  checkBatch,
  checkRequestLayers,
  checkShapes,
  checkSpecMatchesDataset,
  createHostTensorOps,
  type Dataset,
  describeSpec,
  type EvaluateRequest,
  type EvaluateResult,
  featureSize,
  type HostTensor,
  hostTensor,
  type Model,
  type ModelSpec,
  resolveExampleWeights,
  ShapeMismatchError,
} from '@abs/core';
import { activate, multiplyDerivative } from './activation';
import { columnSums, matmul, matmulAt, matmulBt, rowSquaredNorms, scaleRows, squared, toFloat32 } from './kernels';
import { lossAndOutputGradient } from './loss';

export const JS_CAPABILITIES: ReadonlySet<Capability> = new Set(CAPABILITIES);

interface Forward {
  /** inputs[l]: input of layer l (n × in_l); inputs[L] is the output z. */
  inputs: Float64Array[];
  /** pre[l]: pre-activation of layer l (n × out_l). */
  pre: Float64Array[];
}

export function createJsModel(
  spec: ModelSpec,
  dataset: Dataset,
  options: {
    parameters: readonly Float32Array[];
    backend: string;
    compileSibling: Model<HostTensor>['compileSibling'];
  },
): Model<HostTensor> {
  const ops = createHostTensorOps(options.backend);
  const { parameters: parameterInfo, layers } = describeSpec(spec);
  const sizes = spec.layerSizes;
  const depth = layers.length;
  const outputs = sizes[depth] as number;
  const width = featureSize(dataset);
  checkSpecMatchesDataset(spec, dataset);
  const shapes = parameterInfo.map((p) => p.shape);
  checkShapes(
    'parameters',
    shapes,
    options.parameters.map((p, i) =>
      p.length === shapes[i]?.reduce((a, b) => a * b, 1) ? (shapes[i] as number[]) : [p.length],
    ),
  );
  let parameters: HostTensor[] = options.parameters.map((p, i) =>
    hostTensor(Float32Array.from(p), shapes[i] as number[]),
  );

  const parameterIndex = (l: number, slot: 0 | 1) => (layers[l] as (typeof layers)[number]).parameters[slot] as number;
  const weightOf = (params: readonly HostTensor[], l: number) => (params[parameterIndex(l, 0)] as HostTensor).data;
  const biasOf = (params: readonly HostTensor[], l: number) =>
    spec.bias ? (params[parameterIndex(l, 1)] as HostTensor).data : undefined;

  /** Forward from layer `from` with input `input` (n rows). */
  function forward(params: readonly HostTensor[], input: Float64Array, n: number, from = 0): Forward {
    const inputs: Float64Array[] = [];
    const pre: Float64Array[] = [];
    inputs[from] = input;
    for (let l = from; l < depth; l++) {
      const { inputSize, outputSize } = layers[l] as (typeof layers)[number];
      const z = matmul(inputs[l] as Float64Array, weightOf(params, l), n, inputSize, outputSize);
      const b = biasOf(params, l);
      if (b) {
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < outputSize; j++)
            z[i * outputSize + j] = (z[i * outputSize + j] as number) + (b[j] as number);
        }
      }
      pre[l] = z;
      inputs[l + 1] = l + 1 < depth ? activate(spec.activation, z) : z;
    }
    return { inputs, pre };
  }

  function gather(indices: Int32Array): Float64Array {
    const x = new Float64Array(indices.length * width);
    for (let i = 0; i < indices.length; i++) {
      const k = indices[i] as number;
      for (let j = 0; j < width; j++) x[i * width + j] = dataset.features[k * width + j] as number;
    }
    return x;
  }

  function resolveWeights(
    request: EvaluateRequest<HostTensor>,
    n: number,
    gram: Float64Array[] | undefined,
  ): readonly Float32Array[] | undefined {
    const spec = request.exampleWeights;
    if (spec === undefined) return undefined;
    return resolveExampleWeights(typeof spec === 'function' ? spec(gram ?? []) : spec, depth, n);
  }

  async function evaluate(
    batch: BatchIndices,
    request: EvaluateRequest<HostTensor> = {},
  ): Promise<EvaluateResult<HostTensor>> {
    const indices = checkBatch(batch, dataset.size, `${options.backend}.evaluate`);
    const n = indices.length;
    const params = request.parameters ?? parameters;
    if (request.parameters)
      checkShapes(
        'request.parameters',
        shapes,
        request.parameters.map((p) => p.shape),
      );
    checkRequestLayers(request, depth);

    // Forward (optionally from replaced features).
    let fwd: Forward;
    const replace = request.replaceFeatures;
    if (replace) {
      const expected = [n, (layers[replace.layer] as (typeof layers)[number]).inputSize];
      checkShapes('replaceFeatures.features', [expected], [replace.features.shape]);
      fwd = forward(params, Float64Array.from(replace.features.data), n, replace.layer);
    } else {
      fwd = forward(params, gather(indices), n);
    }
    const z = fwd.inputs[depth] as Float64Array;
    const result: { -readonly [K in keyof EvaluateResult<HostTensor>]: EvaluateResult<HostTensor>[K] } = {
      batchSize: n,
      loss: Number.NaN,
    };

    let delta: Float64Array;
    if (request.outputGradient) {
      checkShapes('outputGradient', [[n, outputs]], [request.outputGradient.shape]);
      delta = Float64Array.from(request.outputGradient.data);
    } else {
      const l = lossAndOutputGradient(spec.loss, z, outputs, { dataset, indices });
      let sum = 0;
      for (let i = 0; i < n; i++) sum += l.perExample[i] as number;
      result.loss = sum / n;
      if (request.perExampleLoss) result.perExampleLoss = l.perExample;
      delta = l.delta;
    }
    if (request.features)
      result.features = hostTensor(toFloat32(fwd.inputs[request.features.layer] as Float64Array), [
        n,
        layers[request.features.layer]?.inputSize as number,
      ]);
    if (request.outputs) result.outputs = hostTensor(toFloat32(z), [n, outputs]);

    const wantsParameterStats =
      request.gradient ||
      request.secondMoment ||
      request.gram ||
      request.perExampleGradientNormSquared ||
      request.exampleWeights !== undefined ||
      request.outputGradient !== undefined;
    const lowest = wantsParameterStats ? (replace?.layer ?? 0) : (replace?.layer ?? depth);
    if (!wantsParameterStats && !replace) return result;

    const gradient: HostTensor[] = [];
    const second: HostTensor[] = [];
    const grams: Float64Array[] = [];
    const norms: Float64Array[] = [];
    const deltas: Float64Array[] = [];
    // Backward: deltas[l] = per-example gradients w.r.t. z_l.
    for (let l = depth - 1; l >= lowest; l--) {
      const { inputSize, outputSize, parameters: p } = layers[l] as (typeof layers)[number];
      deltas[l] = delta;
      const a = fwd.inputs[l] as Float64Array;
      // Mean gradient; for an upstream-gradient pass the plain sum (no 1/n).
      if (wantsParameterStats && (request.gradient || request.outputGradient)) {
        const scale = request.outputGradient ? 1 : 1 / n;
        gradient[p[0] as number] = hostTensor(toFloat32(matmulAt(a, delta, n, inputSize, outputSize), scale), [
          inputSize,
          outputSize,
        ]);
        if (spec.bias)
          gradient[p[1] as number] = hostTensor(toFloat32(columnSums(delta, n, outputSize), scale), [outputSize]);
      }
      if (request.secondMoment) {
        const d2 = squared(delta);
        second[p[0] as number] = hostTensor(toFloat32(matmulAt(squared(a), d2, n, inputSize, outputSize), 1 / n), [
          inputSize,
          outputSize,
        ]);
        if (spec.bias)
          second[p[1] as number] = hostTensor(toFloat32(columnSums(d2, n, outputSize), 1 / n), [outputSize]);
      }
      if (request.gram) {
        const dd = matmulBt(delta, delta, n, outputSize, n);
        const aa = matmulBt(a, a, n, inputSize, n);
        for (let i = 0; i < n * n; i++) dd[i] = (dd[i] as number) * ((aa[i] as number) + (spec.bias ? 1 : 0));
        grams[l] = dd;
      }
      if (request.perExampleGradientNormSquared) {
        const dd = rowSquaredNorms(delta, n, outputSize);
        const aa = rowSquaredNorms(a, n, inputSize);
        norms[p[0] as number] = dd.map((v, i) => v * (aa[i] as number));
        if (spec.bias) norms[p[1] as number] = dd;
      }
      if (l === lowest) break;
      // Propagate: Δ_{l−1} = (Δ_l W_lᵀ) ∘ f′(Z_{l−1}).
      const upstream = matmulBt(delta, weightOf(params, l), n, outputSize, inputSize);
      multiplyDerivative(spec.activation, upstream, fwd.pre[l - 1] as Float64Array, a);
      delta = upstream;
    }
    if (replace) {
      // ∂(mean loss)/∂features = (1/n)·Δ_l W_lᵀ at the replaced layer l.
      const { inputSize, outputSize } = layers[replace.layer] as (typeof layers)[number];
      const g = matmulBt(
        deltas[replace.layer] as Float64Array,
        weightOf(params, replace.layer),
        n,
        outputSize,
        inputSize,
      );
      result.featureGradient = hostTensor(toFloat32(g, 1 / n), [n, inputSize]);
    }
    if (request.gradient || request.outputGradient) result.gradient = gradient;
    if (request.secondMoment) result.secondMoment = second;
    if (request.gram) result.gram = grams;
    if (request.perExampleGradientNormSquared) result.perExampleGradientNormSquared = norms;
    const weights = resolveWeights(request, n, request.gram ? grams : undefined);
    if (weights) {
      const weighted: HostTensor[] = [];
      for (let l = lowest; l < depth; l++) {
        const { inputSize, outputSize, parameters: p } = layers[l] as (typeof layers)[number];
        const w = weights[l] as Float32Array;
        const dw = scaleRows(deltas[l] as Float64Array, n, outputSize, w);
        weighted[p[0] as number] = hostTensor(
          toFloat32(matmulAt(fwd.inputs[l] as Float64Array, dw, n, inputSize, outputSize)),
          [inputSize, outputSize],
        );
        if (spec.bias) weighted[p[1] as number] = hostTensor(toFloat32(columnSums(dw, n, outputSize)), [outputSize]);
      }
      result.weightedGradient = weighted;
    }
    return result;
  }

  return {
    specificationVersion: 'abs-model-v1',
    backend: options.backend,
    ops,
    spec,
    dataset,
    capabilities: JS_CAPABILITIES,
    parameterInfo,
    layers,
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
    },
    readParameters: async () => parameters.map((p) => Float32Array.from(p.data)),
    writeParameters(values) {
      checkShapes(
        'writeParameters',
        shapes,
        values.map((v, i) => (v.length === (parameters[i]?.data.length ?? -1) ? (shapes[i] as number[]) : [v.length])),
      );
      parameters = values.map((v, i) => hostTensor(Float32Array.from(v), shapes[i] as number[]));
    },
    evaluate,
    async predict(features, count) {
      if (features.length !== count * width) {
        throw new ShapeMismatchError({ what: 'predict features', expected: [count, width], actual: [features.length] });
      }
      const fwd = forward(parameters, Float64Array.from(features), count);
      return toFloat32(fwd.inputs[depth] as Float64Array);
    },
    compileSibling: options.compileSibling,
    dispose() {},
  };
}
