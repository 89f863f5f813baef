/**
 * Turns an `EvaluateRequest` into a plan for one pass, checking everything that can be
 * checked before any tensor is made (batch, shapes, layers, weight lengths), so a bad request
 * fails fast, with the same typed errors as the reference backend, and allocates nothing.
 */
import {
  assertRequestSupported,
  type BatchIndices,
  type Capability,
  checkBatch,
  checkRequestLayers,
  checkShapes,
  type EvaluateRequest,
  type ExampleWeights,
  type LayerInfo,
  type ModelSpec,
  resolveExampleWeights,
} from '@abs/core';
import type { Tensor, Tensor2D } from '../tfjs-namespace';

export interface RequestPlan {
  readonly indices: Int32Array;
  readonly n: number;
  readonly parameters: readonly Tensor[];
  /** First layer of the forward pass (the replaced layer, else 0). */
  readonly from: number;
  /** Lowest layer the backward pass reaches; `undefined` when there is no backward pass. */
  readonly lowest: number | undefined;
  /** Parameter gradient wanted: mean (loss) or plain sum (upstream gradient). */
  readonly gradient: boolean;
  /** Weights known up front, one array per layer. */
  readonly weights: readonly Float32Array[] | undefined;
  /** Weights computed from the Gram matrices of the same pass. */
  readonly weightsFromGram: Extract<ExampleWeights, (gram: readonly Float64Array[]) => unknown> | undefined;
}

export function planRequest(
  batch: BatchIndices,
  request: EvaluateRequest<Tensor>,
  model: {
    readonly name: string;
    readonly spec: ModelSpec;
    readonly capabilities: ReadonlySet<Capability>;
    readonly datasetSize: number;
    /** Width of the network's output (logits). */
    readonly outputs: number;
    readonly layers: readonly LayerInfo[];
    readonly shapes: readonly (readonly number[])[];
    readonly parameters: readonly Tensor[];
    /** The method named in errors (default `evaluate`). */
    readonly where?: string;
  },
): RequestPlan {
  const indices = checkBatch(batch, model.datasetSize, `${model.name}.${model.where ?? 'evaluate'}`);
  const n = indices.length;
  const depth = model.layers.length;
  assertRequestSupported({ backend: model.name, capabilities: model.capabilities, spec: model.spec }, request);
  if (request.parameters) {
    checkShapes(
      'request.parameters',
      model.shapes,
      request.parameters.map((p) => p.shape),
    );
  }
  const replace = request.replaceFeatures;
  checkRequestLayers(request, model.layers);
  if (replace) {
    const layer = model.layers[replace.layer] as LayerInfo;
    const flat = replace.features.shape.length === 2;
    const expected = flat ? [n, layer.inputSize] : [n, ...layer.inputShape];
    checkShapes('replaceFeatures.features', [expected], [replace.features.shape]);
  }
  const upstream = request.outputGradient as Tensor2D | undefined;
  if (upstream) checkShapes('outputGradient', [[n, model.outputs]], [upstream.shape]);
  const weightsSpec = request.exampleWeights;
  const weights =
    weightsSpec === undefined || typeof weightsSpec === 'function'
      ? undefined
      : resolveExampleWeights(weightsSpec, depth, n);
  const parameterStats = Boolean(
    request.gradient ||
      request.secondMoment ||
      request.gram ||
      request.perExampleGradientNormSquared ||
      weightsSpec !== undefined ||
      upstream,
  );
  const lowest = replace ? replace.layer : parameterStats ? 0 : undefined;
  return {
    indices,
    n,
    parameters: request.parameters ?? model.parameters,
    from: replace?.layer ?? 0,
    lowest,
    gradient: Boolean(request.gradient || upstream),
    weights,
    weightsFromGram: typeof weightsSpec === 'function' ? weightsSpec : undefined,
  };
}
