/**
 * Checks every backend makes the same way, so all of them reject bad specs, datasets and
 * requests with the same typed errors and messages.
 */
import { InvalidArgumentError } from '../errors/invalid-argument-error';
import { formatValue } from '../errors/invalid-hyper-parameter-error';
import { ShapeMismatchError } from '../errors/shape-mismatch-error';
import { assertCapabilities, type Capability } from './capability';
import { type Dataset, featureSize } from './dataset';
import { describeSpec, type LayerInfo } from './describe-spec';
import type { GradientVarianceRequest, SgdStep, SgdStepRequest } from './model';
import type { ModelSpec } from './model-spec';

/**
 * The dataset fits the spec: its `featureShape` is the spec's `inputShape` (a vector input also
 * takes any feature shape of the same size, flattened row-major); softmax cross-entropy needs
 * labels with as many classes as outputs; mse targets, when present, are as wide as the outputs.
 */
export function checkSpecMatchesDataset(spec: ModelSpec, dataset: Dataset): void {
  const { inputShape, outputShape } = describeSpec(spec);
  const outputs = outputShape[0] as number;
  const width = featureSize(dataset);
  const same =
    inputShape.length === 1
      ? width === inputShape[0]
      : inputShape.length === dataset.featureShape.length && inputShape.every((d, i) => d === dataset.featureShape[i]);
  if (!same) {
    throw new ShapeMismatchError({
      what: `features of dataset '${dataset.name}' vs the spec's inputShape`,
      expected: [...inputShape],
      actual: [...dataset.featureShape],
    });
  }
  if (spec.loss === 'softmax-cross-entropy' && (!dataset.labels || dataset.numClasses !== outputs)) {
    throw new ShapeMismatchError({
      what: `classes of dataset '${dataset.name}' vs the spec's output`,
      expected: [outputs],
      actual: [dataset.numClasses ?? 0],
    });
  }
  if (spec.loss === 'mse' && dataset.targets && dataset.targetSize !== outputs) {
    throw new ShapeMismatchError({
      what: `targets of dataset '${dataset.name}' vs the spec's output`,
      expected: [outputs],
      actual: [dataset.targetSize ?? 0],
    });
  }
}

/** `layer` of a request field (`features`, `replaceFeatures`) is an integer in [0, depth). */
export function checkLayerIndex(what: string, layer: number, depth: number): void {
  if (!Number.isInteger(layer) || layer < 0 || layer >= depth) {
    throw new InvalidArgumentError({
      argument: `${what}.layer`,
      value: layer,
      message: `${what}.layer must be an integer in [0, ${depth}), got ${layer}`,
    });
  }
}

/**
 * The layers a request names exist, and `features` is not below a replaced layer (nothing is
 * computed there when the pass starts at `replaceFeatures.layer`).
 */
export function checkRequestLayers(
  request: { readonly features?: { readonly layer: number }; readonly replaceFeatures?: { readonly layer: number } },
  layers: number | readonly LayerInfo[],
): void {
  const depth = typeof layers === 'number' ? layers : layers.length;
  const cut = (what: string, layer: number) => {
    checkLayerIndex(what, layer, depth);
    const info = typeof layers === 'number' ? undefined : layers[layer];
    if (info && info.sequenceIndex === undefined) {
      throw new InvalidArgumentError({
        argument: `${what}.layer`,
        value: layer,
        message: `${what}.layer ${layer} (${info.name} at ${info.path}) is inside a residual block; name a layer of the top-level sequence`,
      });
    }
  };
  if (request.replaceFeatures) cut('replaceFeatures', request.replaceFeatures.layer);
  if (request.features) {
    cut('features', request.features.layer);
    const start = request.replaceFeatures?.layer ?? 0;
    if (request.features.layer < start) {
      throw new InvalidArgumentError({
        argument: 'features.layer',
        value: request.features.layer,
        message: `features.layer must not be below replaceFeatures.layer (${start}), got ${request.features.layer}`,
      });
    }
  }
}

/** Normalises example weights to one array of length `n` per layer, checking count and lengths. */
export function resolveExampleWeights(
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

/**
 * The SGD step of `Model.sgdStep`, checked: η a finite number > 0, λ (default 0) a finite
 * number ≥ 0, `normalize.epsilon` (when normalising) a finite number > 0;
 * `InvalidArgumentError` naming the option and `where` otherwise. `normalizeEpsilon` is null
 * for a plain step.
 */
export function resolveSgdStep(
  step: SgdStep,
  where: string,
): { learningRate: number; weightDecay: number; normalizeEpsilon: number | null } {
  const check = (option: string, value: unknown, valid: (v: number) => boolean, expected: string): number => {
    if (typeof value === 'number' && Number.isFinite(value) && valid(value)) return value;
    throw new InvalidArgumentError({
      argument: option,
      value,
      message: `${where}: ${option} must be ${expected}, got ${String(value)}`,
    });
  };
  const normalize = step?.normalize;
  return {
    learningRate: check('learningRate', step?.learningRate, (v) => v > 0, 'a finite number > 0'),
    weightDecay: check('weightDecay', step?.weightDecay ?? 0, (v) => v >= 0, 'a finite number ≥ 0'),
    normalizeEpsilon:
      normalize === undefined
        ? null
        : check('normalize.epsilon', normalize?.epsilon, (v) => v > 0, 'a finite number > 0'),
  };
}

/**
 * How a model computes the ξ of `SgdStepRequest.gradientVariance`: `'norms'` from the
 * per-example squared norms (Σ_p [(1/n)·Σ_i ‖g_i,p‖² − ‖ḡ_p‖²], preferred), or `'secondMoment'`
 * / `'reference'` from the second moments of that fidelity (Σ (M − ḡ∘ḡ)); `undefined` when
 * not asked. Throws `UnsupportedCapabilityError` naming what the model lacks.
 */
export function resolveGradientVariance(
  target: { readonly backend: string; readonly capabilities: ReadonlySet<Capability>; readonly spec?: ModelSpec },
  request: SgdStepRequest,
): 'norms' | 'secondMoment' | 'reference' | undefined {
  const asked = request.gradientVariance as GradientVarianceRequest | false | undefined;
  if (asked === undefined || asked === false) return undefined;
  if (asked === true) {
    if (target.capabilities.has('perExampleGradientNormSquared')) return 'norms';
    assertCapabilities(
      target,
      ['secondMoment'],
      "needed by sgdStep's gradientVariance (or 'perExampleGradientNormSquared')",
    );
    return 'secondMoment';
  }
  const fidelity = (asked as { fidelity?: unknown } | null)?.fidelity;
  if (fidelity !== 'exact' && fidelity !== 'reference') {
    throw new InvalidArgumentError({
      argument: 'gradientVariance',
      value: asked,
      message: `sgdStep: gradientVariance must be true or { fidelity: 'exact' | 'reference' }, got ${formatValue(asked)}`,
    });
  }
  if (fidelity === 'exact') return resolveGradientVariance(target, { gradientVariance: true });
  assertCapabilities(target, ['secondMoment'], "needed by sgdStep's gradientVariance with fidelity 'reference'");
  return 'reference';
}
