/**
 * A graph signature: everything that changes the structure of a generated training graph
 * (which outputs are wanted, where the pass starts, what arrives as input). Parameters,
 * batch size and data never change the structure, so one session per signature serves
 * every step.
 */

export interface GraphSignature {
  /**
   * First top-level node run (an index into the spec's `layers`): 0, or the node of the layer
   * whose input features are replaced.
   */
  readonly start: number;
  /** Output each training batch norm's batch mean and variance, to update its running averages. */
  readonly batchStatistics?: boolean;
  /**
   * Where the output gradient comes from: the loss of the bound targets (`'loss'`), an
   * upstream gradient input (`'upstream'`), or nowhere (`'none'`: forward only, e.g. predict).
   */
  readonly head: 'loss' | 'upstream' | 'none';
  readonly gradient: boolean;
  readonly secondMoment: boolean;
  /** Second moments of conv layers without the cross-position terms (CABS's reference code). */
  readonly momentFidelity?: 'reference';
  readonly gram: boolean;
  /** Per parameter, ‖g_i‖² of each example's gradient ([batch] outputs). */
  readonly exampleNorms: boolean;
  /**
   * Per-example weights: none; given as inputs (`'input'`); or computed later from the Gram
   * matrices (`'keep'`: the graph outputs each layer's activations and deltas for the
   * weighted-gradient graph).
   */
  readonly weights: 'none' | 'input' | 'keep';
  /** Output the activations entering this top-level node (only for nodes after `start`). */
  readonly features?: number;
  /** Output ∂(mean loss)/∂(input of layer `start`). */
  readonly featureGradient: boolean;
  readonly outputs: boolean;
  /**
   * Take an SGD step in the graph: outputs θ' = θ − η·∇ (`'sgd'`) or (1 − ηλ)·θ − η·∇
   * (`'sgd-decay'`) per parameter and ‖∇‖², instead of returning the gradient.
   */
  readonly step?: 'sgd' | 'sgd-decay';
  /**
   * With `step`: normalised SGD, the gradient term divided by n = ‖∇‖ over every parameter (the
   * input ε where ‖∇‖² is 0), formed in the graph from the same ‖∇‖² it outputs.
   */
  readonly normalize?: boolean;
  /**
   * With `step`: output ξ = tr Σ, reduced in the graph from the per-example squared norms
   * (`'norms'`, exact) or from the reference fidelity's second moments (`'reference'`).
   */
  readonly variance?: 'norms' | 'reference';
}

/** A stable cache key for a signature. */
export function signatureKey(s: GraphSignature): string {
  return [
    `start=${s.start}`,
    `head=${s.head}`,
    s.batchStatistics ? 'batchStatistics' : '',
    s.gradient ? 'gradient' : '',
    s.secondMoment ? `moment${s.momentFidelity === 'reference' ? '=reference' : ''}` : '',
    s.gram ? 'gram' : '',
    s.exampleNorms ? 'norms' : '',
    `weights=${s.weights}`,
    s.features === undefined ? '' : `features=${s.features}`,
    s.featureGradient ? 'featureGradient' : '',
    s.outputs ? 'outputs' : '',
    s.step === undefined ? '' : `step=${s.step}`,
    s.normalize ? 'normalize' : '',
    s.variance === undefined ? '' : `variance=${s.variance}`,
  ]
    .filter(Boolean)
    .join(';');
}

/** True when the signature needs a backward pass. */
export function needsBackward(s: GraphSignature): boolean {
  return (
    s.gradient ||
    s.step !== undefined ||
    s.secondMoment ||
    s.gram ||
    s.exampleNorms ||
    s.weights !== 'none' ||
    s.featureGradient
  );
}
