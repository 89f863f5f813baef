/**
 * Turns an `EvaluateRequest` into a graph signature after checking it, with the same typed
 * errors and rules as the reference backend: layers in range, replaced features n × width,
 * upstream gradient n × outputs, evaluation parameters of the model's shapes, and one
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
    readonly parameterShapes: readonly (readonly number[])[];
  },
): RequestPlan {
  const { layers, n } = context;
  const depth = layers.length;
  const outputs = layers[depth - 1]?.outputSize as number;
  if (request.parameters) {
    checkShapes(
      'request.parameters',
      context.parameterShapes,
      request.parameters.map((p) => p.shape),
    );
  }
  checkRequestLayers(request, depth);
  const replace = request.replaceFeatures;
  if (replace) {
    checkShapes(
      'replaceFeatures.features',
      [[n, layers[replace.layer]?.inputSize as number]],
      [replace.features.shape],
    );
  }
  if (request.outputGradient) checkShapes('outputGradient', [[n, outputs]], [request.outputGradient.shape]);

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
  const start = replace?.layer ?? 0;
  const upstream = request.outputGradient !== undefined;
  const featureLayer = request.features?.layer;
  const signature: GraphSignature = {
    start,
    head: upstream ? 'upstream' : 'loss',
    gradient: request.gradient === true || upstream,
    secondMoment: request.secondMoment === true,
    gram,
    exampleNorms: request.perExampleGradientNormSquared === true,
    weights: weightsFromGram ? 'keep' : weights ? 'input' : 'none',
    ...(featureLayer !== undefined && featureLayer > start ? { features: featureLayer } : {}),
    featureGradient: replace !== undefined,
    outputs: request.outputs === true,
  };
  return {
    signature,
    ...(weights ? { weights } : {}),
    ...(weightsFromGram ? { weightsFromGram } : {}),
  };
}
