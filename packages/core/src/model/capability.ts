/**
 * Capabilities a compiled model may provide. Backends declare theirs; algorithms declare
 * what they need; `assertCapabilities` checks once, before training, and names the first
 * missing capability and the backend.
 */
import { UnsupportedCapabilityError } from '../errors/unsupported-capability-error';

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

/** Throws `UnsupportedCapabilityError` for the first capability in `required` that `available` lacks. */
export function assertCapabilities(
  target: { readonly backend: string; readonly capabilities: ReadonlySet<Capability> },
  required: readonly Capability[],
  detail?: string,
): void {
  for (const capability of required) {
    if (!target.capabilities.has(capability)) {
      throw new UnsupportedCapabilityError({
        capability,
        backend: target.backend,
        ...(detail === undefined ? {} : { detail }),
      });
    }
  }
}
