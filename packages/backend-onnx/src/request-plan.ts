/**
 * Turns an `EvaluateRequest` into a graph signature after checking it, with the same typed
 * errors and rules as the reference backend: layers in range and in the top-level sequence,
 * replaced features n × width (or n × the layer's input shape), upstream gradient n × outputs, evaluation parameters of the model's shapes, and one
 * weight array of length n per layer.
 */
import {
  checkRequestLayers,
  checkShapes,
  type EvaluateRequest,
  type ExampleWeights,
  type HostTensor,
  type LayerInfo,
  resolveExampleWeights,
} from '@abs/core';
import type { GraphSignature } from './graph/signature';

export interface RequestPlan {
  readonly signature: GraphSignature;
  /** Weights per layer, when known before the pass (arrays, or a function called without Gram). */
  readonly weights?: readonly Float32Array[];
  /** Weights computed from the same pass's Gram matrices. */
  readonly weightsFromGram?: (gram: readonly Float64Array[]) => Float32Array | readonly Float32Array[];
}

export function planRequest(
  request: EvaluateRequest<HostTensor>,
  context: {
    readonly layers: readonly LayerInfo[];
    readonly n: number;
    readonly outputs: number;
    readonly parameterShapes: readonly (readonly number[])[];
  },
): RequestPlan {
  const { layers, n } = context;
  const depth = layers.length;
  if (request.parameters) {
    checkShapes(
      'request.parameters',
      context.parameterShapes,
      request.parameters.map((p) => p.shape),
    );
  }
  checkRequestLayers(request, layers);
  const replace = request.replaceFeatures;
  const replaced = replace ? (layers[replace.layer] as LayerInfo) : undefined;
  if (replace && replaced) {
    // Flat [n, width] or in the layer's own shape [n, ...inputShape], as the reference backend.
    const flat = replace.features.shape.length === 2;
    checkShapes(
      'replaceFeatures.features',
      [flat ? [n, replaced.inputSize] : [n, ...replaced.inputShape]],
      [replace.features.shape],
    );
  }
  if (request.outputGradient) checkShapes('outputGradient', [[n, context.outputs]], [request.outputGradient.shape]);

  const spec: ExampleWeights | undefined = request.exampleWeights;
  const gram = request.gram === true;
  let weights: readonly Float32Array[] | undefined;
  let weightsFromGram: RequestPlan['weightsFromGram'];
  if (typeof spec === 'function') {
    if (gram) weightsFromGram = spec;
    else weights = resolveExampleWeights(spec([]), depth, n);
  } else if (spec !== undefined) {
    weights = resolveExampleWeights(spec, depth, n);
  }
  const start = replaced?.sequenceIndex ?? 0;
  const upstream = request.outputGradient !== undefined;
  const featureNode = request.features ? layers[request.features.layer]?.sequenceIndex : undefined;
  const moment = request.secondMoment;
  const signature: GraphSignature = {
    start,
    head: upstream ? 'upstream' : 'loss',
    gradient: request.gradient === true || upstream,
    secondMoment: moment !== undefined && moment !== false,
    ...(typeof moment === 'object' && moment.fidelity === 'reference' ? { momentFidelity: 'reference' } : {}),
    gram,
    exampleNorms: request.perExampleGradientNormSquared === true,
    weights: weightsFromGram ? 'keep' : weights ? 'input' : 'none',
    ...(featureNode !== undefined && featureNode > start ? { features: featureNode } : {}),
    featureGradient: replace !== undefined,
    outputs: request.outputs === true,
  };
  return {
    signature,
    ...(weights ? { weights } : {}),
    ...(weightsFromGram ? { weightsFromGram } : {}),
  };
}
