/**
 * Capabilities a compiled model may provide. Backends declare theirs; algorithms declare
 * what they need; `assertCapabilities` checks once, before training, and names the first
 * missing capability and the backend.
 */
import { UnsupportedCapabilityError } from '../errors/unsupported-capability-error';
import { describeSpec } from './describe-spec';
import type { EvaluateRequest } from './model';
import type { ModelSpec } from './model-spec';

export const CAPABILITIES = [
  /** mean loss over the batch */
  'loss',
  /** loss of each example */
  'perExampleLoss',
  /** mean gradient over the batch */
  'gradient',
  /** per-parameter (1/n) Σ g_i∘g_i of per-example gradients (exact) */
  'secondMoment',
  /** per-layer N×N Gram matrix ⟨g_i, g_j⟩ of per-example gradients */
  'gram',
  /** ‖g_i‖² of each example's gradient, per parameter (Σ_i of it is n·Σ_j of the second moment) */
  'perExampleGradientNormSquared',
  /** Σ w_i g_i with per-example (optionally per-layer) weights */
  'exampleWeights',
  /** evaluation at other parameters than the model's current ones */
  'evaluateAt',
  /** activations entering a given layer (e.g. penultimate features) */
  'features',
  /** loss and ∂loss/∂features with the features at a layer replaced by given values */
  'replaceFeatures',
  /** parameter gradient of Σ (upstream ∘ outputs), a backward pass from a given upstream gradient */
  'outputGradient',
  /** raw network outputs (logits) for a batch */
  'outputs',
] as const;

export type Capability = (typeof CAPABILITIES)[number];

/** Capabilities built on per-example gradients, which batch normalisation makes undefined. */
export const PER_EXAMPLE_CAPABILITIES: readonly Capability[] = [
  'secondMoment',
  'gram',
  'perExampleGradientNormSquared',
  'exampleWeights',
];

/**
 * Why a model of `spec` cannot have `capability` whatever its backend, or `undefined`. Batch
 * normalisation mixes the examples of a batch (each output depends on every input through the
 * batch mean and variance), so a per-example gradient is not defined for a model that has it.
 */
export function layerLimitation(spec: ModelSpec, capability: Capability): string | undefined {
  if (!PER_EXAMPLE_CAPABILITIES.includes(capability)) return undefined;
  const norm = describeSpec(spec).batchNorm;
  if (!norm) return undefined;
  return `the model has batch normalisation (${norm.name} at ${norm.path}), which mixes the examples of a batch, so per-example gradients are undefined`;
}

/** The capabilities a model of `spec` has on a backend offering `available`. */
export function modelCapabilities(spec: ModelSpec, available: Iterable<Capability>): ReadonlySet<Capability> {
  return new Set([...available].filter((c) => layerLimitation(spec, c) === undefined));
}

/** Throws `UnsupportedCapabilityError` for the first capability in `required` that `available` lacks. */
export function assertCapabilities(
  target: {
    readonly backend: string;
    readonly capabilities: ReadonlySet<Capability>;
    /** When given, an error caused by a layer (batch norm) names that layer. */
    readonly spec?: ModelSpec;
  },
  required: readonly Capability[],
  detail?: string,
): void {
  for (const capability of required) {
    if (!target.capabilities.has(capability)) {
      const limitation = target.spec ? layerLimitation(target.spec, capability) : undefined;
      const text = [detail, limitation].filter((t) => t !== undefined).join('; ');
      throw new UnsupportedCapabilityError({
        capability,
        backend: target.backend,
        ...(text === '' ? {} : { detail: text }),
      });
    }
  }
}

const REQUESTED: readonly [keyof EvaluateRequest<unknown>, Capability][] = [
  ['perExampleLoss', 'perExampleLoss'],
  ['gradient', 'gradient'],
  ['secondMoment', 'secondMoment'],
  ['gram', 'gram'],
  ['perExampleGradientNormSquared', 'perExampleGradientNormSquared'],
  ['exampleWeights', 'exampleWeights'],
  ['parameters', 'evaluateAt'],
  ['features', 'features'],
  ['replaceFeatures', 'replaceFeatures'],
  ['outputGradient', 'outputGradient'],
  ['outputs', 'outputs'],
];

/** Throws `UnsupportedCapabilityError` when `request` asks for something the model does not offer. */
export function assertRequestSupported(
  target: { readonly backend: string; readonly capabilities: ReadonlySet<Capability>; readonly spec?: ModelSpec },
  request: EvaluateRequest<unknown>,
): void {
  const asked = REQUESTED.filter(([field]) => request[field] !== undefined && request[field] !== false);
  assertCapabilities(
    target,
    asked.map(([, capability]) => capability),
    'asked for in evaluate',
  );
}
