/**
 * Turns an `EvaluateRequest` into a graph signature after checking it, with the same typed
 * errors and rules as the reference backend: layers in range, replaced features n × width,
 * upstream gradient n × outputs, evaluation parameters of the model's shapes, and one
 * weight array of length n per layer.
 */
import {
  checkShapes,
  type EvaluateRequest,
  type ExampleWeights,
  type HostTensor,
  InvalidArgumentError,
  type LayerInfo,
  ShapeMismatchError,
} from '@abs/core';
import type { GraphSignature } from './graph/signature';

export interface RequestPlan {
  readonly signature: GraphSignature;
  /** Weights per layer, when known before the pass (arrays, or a function called without Gram). */
  readonly weights?: readonly Float32Array[];
  /** Weights computed from the same pass's Gram matrices. */
  readonly weightsFromGram?: (gram: readonly Float64Array[]) => Float32Array | readonly Float32Array[];
}

function checkLayer(what: string, layer: number, depth: number): void {
  if (!Number.isInteger(layer) || layer < 0 || layer >= depth) {
    throw new InvalidArgumentError({
      argument: `${what}.layer`,
      value: layer,
      message: `${what}.layer must be an integer in [0, ${depth}), got ${layer}`,
    });
  }
}

/** Normalises weights to one array per layer and checks their count and lengths. */
export function resolveWeights(
  raw: Float32Array | readonly Float32Array[],
  depth: number,
  n: number,
): readonly Float32Array[] {
  const list = raw instanceof Float32Array ? Array.from({ length: depth }, () => raw) : [...raw];
  if (list.length !== depth) {
    throw new ShapeMismatchError({
      what: 'exampleWeights (one array per layer)',
      expected: [depth],
      actual: [list.length],
    });
  }
  list.forEach((w, l) => {
    if (!(w instanceof Float32Array) || w.length !== n) {
      throw new ShapeMismatchError({ what: `exampleWeights[${l}]`, expected: [n], actual: [w?.length ?? 0] });
    }
  });
  return list;
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
  const replace = request.replaceFeatures;
  if (replace) {
    checkLayer('replaceFeatures', replace.layer, depth);
    checkShapes(
      'replaceFeatures.features',
      [[n, layers[replace.layer]?.inputSize as number]],
      [replace.features.shape],
    );
  }
  const start = replace?.layer ?? 0;
  if (request.features) {
    checkLayer('features', request.features.layer, depth);
    if (request.features.layer < start) {
      throw new InvalidArgumentError({
        argument: 'features.layer',
        value: request.features.layer,
        message: `features.layer must not be below replaceFeatures.layer (${start}), got ${request.features.layer}`,
      });
    }
  }
  if (request.outputGradient) checkShapes('outputGradient', [[n, outputs]], [request.outputGradient.shape]);

  const spec: ExampleWeights | undefined = request.exampleWeights;
  const gram = request.gram === true;
  let weights: readonly Float32Array[] | undefined;
  let weightsFromGram: RequestPlan['weightsFromGram'];
  if (typeof spec === 'function') {
    if (gram) weightsFromGram = spec;
    else weights = resolveWeights(spec([]), depth, n);
  } else if (spec !== undefined) {
    weights = resolveWeights(spec, depth, n);
  }
  const upstream = request.outputGradient !== undefined;
  const featureLayer = request.features?.layer;
  const signature: GraphSignature = {
    start,
    head: upstream ? 'upstream' : 'loss',
    gradient: request.gradient === true || upstream,
    secondMoment: request.secondMoment === true,
    gram,
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
