/**
 * Turns an `EvaluateRequest` into a plan for one pass, checking everything that can be
 * checked before any tensor is made (batch, shapes, layers, weight lengths), so a bad request
 * fails fast, with the same typed errors as the reference backend, and allocates nothing.
 */
import {
  type BatchIndices,
  checkBatch,
  checkShapes,
  type EvaluateRequest,
  type ExampleWeights,
  InvalidArgumentError,
  type LayerInfo,
  ShapeMismatchError,
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

/** Validates weights for `depth` layers and `n` examples; returns one array per layer. */
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
    if (w.length !== n)
      throw new ShapeMismatchError({ what: `exampleWeights[${l}]`, expected: [n], actual: [w.length] });
  });
  return list;
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

export function planRequest(
  batch: BatchIndices,
  request: EvaluateRequest<Tensor>,
  model: {
    readonly name: string;
    readonly datasetSize: number;
    readonly layers: readonly LayerInfo[];
    readonly shapes: readonly (readonly number[])[];
    readonly parameters: readonly Tensor[];
  },
): RequestPlan {
  const indices = checkBatch(batch, model.datasetSize, `${model.name}.evaluate`);
  const n = indices.length;
  const depth = model.layers.length;
  if (request.parameters) {
    checkShapes(
      'request.parameters',
      model.shapes,
      request.parameters.map((p) => p.shape),
    );
  }
  const replace = request.replaceFeatures;
  if (request.features) checkLayer('features', request.features.layer, depth);
  if (replace) {
    checkLayer('replaceFeatures', replace.layer, depth);
    const expected = [n, (model.layers[replace.layer] as LayerInfo).inputSize];
    checkShapes('replaceFeatures.features', [expected], [replace.features.shape]);
    if (request.features && request.features.layer < replace.layer) {
      throw new InvalidArgumentError({
        argument: 'features.layer',
        value: request.features.layer,
        message: `features.layer ${request.features.layer} lies below replaceFeatures.layer ${replace.layer}, which the pass does not compute`,
      });
    }
  }
  const upstream = request.outputGradient as Tensor2D | undefined;
  if (upstream)
    checkShapes('outputGradient', [[n, (model.layers[depth - 1] as LayerInfo).outputSize]], [upstream.shape]);
  const weightsSpec = request.exampleWeights;
  const weights =
    weightsSpec === undefined || typeof weightsSpec === 'function' ? undefined : resolveWeights(weightsSpec, depth, n);
  const parameterStats = Boolean(
    request.gradient || request.secondMoment || request.gram || weightsSpec !== undefined || upstream,
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
