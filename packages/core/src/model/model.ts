/**
 * The backend contract for a compiled model: a spec bound to a dataset and a backend,
 * owning its parameters. Algorithms ask `evaluate` for exactly what they need; all
 * statistics come out of the same forward/backward pass, and no algorithm loops over
 * examples.
 */
import type { TensorOps } from '../tensor/tensor-ops';
import type { Capability } from './capability';
import type { Dataset } from './dataset';
import type { BufferInfo, LayerInfo, ParameterInfo } from './describe-spec';
import type { ModelSpec } from './model-spec';

/** Indices into the model's bound dataset. */
export type BatchIndices = Int32Array | readonly number[];

/**
 * Per-example weights for `Σ_i w_i g_i` (gradients of each example's own loss):
 * one array shared by every layer, one array per layer, or a function that receives the
 * per-layer Gram matrices of the same pass (request `gram: true`) and returns per-layer
 * weights — so selection and the weighted gradient need a single pass (DBA).
 */
export type ExampleWeights =
  | Float32Array
  | readonly Float32Array[]
  | ((gram: readonly Float64Array[]) => Float32Array | readonly Float32Array[]);

export interface EvaluateRequest<T> {
  /** Loss of each example (`perExampleLoss` capability). */
  readonly perExampleLoss?: boolean;
  /** Mean gradient, one tensor per parameter. */
  readonly gradient?: boolean;
  /**
   * Per-parameter (1/n) Σ_i g_i∘g_i; g_i is the gradient of example i's own loss. For a conv
   * layer g_i = Σ_p a_ip δ_ipᵀ sums over output positions p; `{ fidelity: 'reference' }` asks
   * instead for (1/n) Σ_i Σ_p (a_ip∘a_ip)(δ_ip∘δ_ip)ᵀ, the formula of the CABS authors' code,
   * which drops the cross-position terms. Dense layers have one position: both are the same.
   */
  readonly secondMoment?: boolean | { readonly fidelity: SecondMomentFidelity };
  /** Per-layer Gram matrices K[i,j] = ⟨g_i, g_j⟩ (weight and bias of the layer together). */
  readonly gram?: boolean;
  /**
   * Per parameter, ‖g_i‖² of each example's gradient restricted to that parameter
   * (`perExampleGradientNormSquared` capability). For a dense layer it is ‖a_i‖²‖δ_i‖² for
   * the weight and ‖δ_i‖² for the bias: O(n·width) work, where `secondMoment` costs a
   * product as large as the weight gradient. Summed over examples it is n·Σ_j M_j, so
   * (1/n)·Σ_i ‖g_i‖² − ‖g‖² is the trace of the gradient covariance (CABS's ξ) without
   * per-parameter moments; summed over a layer's parameters it is the diagonal of its Gram.
   */
  readonly perExampleGradientNormSquared?: boolean;
  /** Per-example weights; the result's `weightedGradient` is Σ_i w_i g_i per parameter. */
  readonly exampleWeights?: ExampleWeights;
  /** Evaluate at these parameters instead of the model's (not modified, not taken over). */
  readonly parameters?: readonly T[];
  /** Return the activations entering this layer (post-activation of the layer before). */
  readonly features?: { readonly layer: number };
  /**
   * Replace the activations entering `layer` by `features` (batch × width), run the rest of
   * the network, and return the mean loss and `featureGradient` = ∂(mean loss)/∂features.
   * Parameter statistics requested together with it cover only the layers from `layer` on:
   * the lists keep their full length with holes (undefined) below `layer`, and `features`
   * may only ask for a layer ≥ `layer`.
   */
  readonly replaceFeatures?: { readonly layer: number; readonly features: T };
  /** Upstream gradient (batch × outputs); the result's `gradient` is ∂Σ(upstream∘outputs)/∂θ. */
  readonly outputGradient?: T;
  /** Return the raw outputs (batch × outputs). */
  readonly outputs?: boolean;
  /**
   * Whether batch-norm running averages absorb this pass's batch statistics. Default: `'update'`
   * for a pass at the model's own parameters that asks for a gradient (a training pass), else
   * `'keep'`. Models without batch norm ignore it.
   */
  readonly runningStatistics?: 'update' | 'keep';
}

export type SecondMomentFidelity = 'exact' | 'reference';

export interface SgdStep {
  /** η > 0 */
  readonly learningRate: number;
  /** Coupled L2 weight decay λ ≥ 0 (default 0). */
  readonly weightDecay?: number;
  /**
   * Normalised SGD: the gradient term is divided by n = ‖∇L‖ over every parameter (ε when
   * that norm is 0), θ ← (1 − η·λ)·θ − η·∇L/n, with n formed inside the pass (LABPAL's NSGD
   * training step). `epsilon` is finite and > 0.
   */
  readonly normalize?: { readonly epsilon: number };
}

/** Statistics an `sgdStep` may also return, as `evaluate` would at the parameters before the step. */
export type SgdStepRequest = Pick<EvaluateRequest<never>, 'perExampleLoss' | 'gradient' | 'secondMoment' | 'gram'> & {
  /**
   * ξ = tr Σ = Σ_j [(1/n)·Σ_i g_ij² − ḡ_j²], the population variance of the per-example
   * gradients summed over every parameter entry, reduced inside the pass so that only the
   * number comes back (as `gradientVariance`). `true` is exact (from the per-example squared
   * norms, or the exact second moments); `{ fidelity: 'reference' }` takes the second moments
   * of that fidelity (the CABS authors' conv moments). `resolveGradientVariance` says which
   * capability a model needs for it.
   */
  readonly gradientVariance?: GradientVarianceRequest;
};

/** How `sgdStep` is asked for ξ: exact (`true`) or from the second moments of a fidelity. */
export type GradientVarianceRequest = true | { readonly fidelity: SecondMomentFidelity };

export interface SgdStepResult<T = unknown>
  extends Pick<EvaluateResult<T>, 'perExampleLoss' | 'gradient' | 'secondMoment' | 'gram'> {
  /** Mean loss over the batch at the parameters before the step. */
  readonly loss: number;
  /** ‖∇L‖², summed over every parameter (not finite when some gradient entry is not). */
  readonly gradientNormSquared: number;
  /** ξ at the parameters before the step, when asked (not finite when some moment is not). */
  readonly gradientVariance?: number;
  /**
   * False when the loss (or its sign: a loss is ≥ 0), the gradient, ξ when asked, or the new
   * parameters were not finite: the parameters were left as they were.
   */
  readonly applied: boolean;
}

/** Everything returned is owned by the caller (dispose tensors when done). */
export interface EvaluateResult<T> {
  readonly batchSize: number;
  /** Mean loss over the batch (NaN when only `outputGradient` was asked). */
  readonly loss: number;
  readonly perExampleLoss?: Float64Array;
  readonly gradient?: T[];
  readonly secondMoment?: T[];
  /** One row-major N×N matrix per layer. */
  readonly gram?: Float64Array[];
  /** One array of n squared norms per parameter. */
  readonly perExampleGradientNormSquared?: Float64Array[];
  readonly weightedGradient?: T[];
  readonly features?: T;
  readonly featureGradient?: T;
  readonly outputs?: T;
}

export interface Model<T> {
  readonly specificationVersion: 'abs-model-v1';
  /** Backend name, e.g. `'js'`, `'onnx-cpu'`, `'tfjs-wasm'`. */
  readonly backend: string;
  readonly ops: TensorOps<T>;
  readonly spec: ModelSpec;
  /** The dataset that batch indices refer to. */
  readonly dataset: Dataset;
  readonly capabilities: ReadonlySet<Capability>;
  readonly parameterInfo: readonly ParameterInfo[];
  readonly layers: readonly LayerInfo[];

  /** The current parameters, owned by the model: do not dispose or keep across `setParameters`. */
  readonly parameters: readonly T[];
  /** Takes ownership of `parameters` and disposes the previous ones. Shapes must match. */
  setParameters(parameters: readonly T[]): void;
  /** Copies the current parameters to host memory. */
  readParameters(): Promise<Float32Array[]>;
  /** Uploads parameters from host memory (copies). */
  writeParameters(values: readonly Float32Array[]): void;

  /** One pass over the batch answering `request`. */
  evaluate(batch: BatchIndices, request?: EvaluateRequest<T>): Promise<EvaluateResult<T>>;
  /**
   * Optional fast path: one SGD step θ ← (1 − η·λ)·θ − η·∇L(θ) on the batch's mean loss, taken
   * inside the backend's own pass (the gradient need not come back to JavaScript), with the
   * statistics of `request` from the same pass, at the parameters before the step. The new
   * parameters replace the model's only when the loss is finite and ≥ 0 and the gradient, ξ
   * (when asked) and the new parameters are finite; otherwise the model is unchanged and
   * `applied` is false. `fixedBatch` uses it for `sgd`, and `cabs` for its whole step, when present.
   */
  sgdStep?(batch: BatchIndices, step: SgdStep, request?: SgdStepRequest): Promise<SgdStepResult<T>>;
  /**
   * Non-trainable tensors (batch-norm running averages), in order; absent or empty when the
   * model has none. Checkpoints carry them.
   */
  readonly bufferInfo?: readonly BufferInfo[];
  /** Copies the buffers to host memory. */
  readBuffers?(): Promise<Float32Array[]>;
  /** Uploads buffers from host memory (copies). Shapes must match `bufferInfo`. */
  writeBuffers?(values: readonly Float32Array[]): void;
  /**
   * Raw outputs (logits) for `count` examples of any features (row-major), in inference mode
   * (batch norm uses its running averages). Without `count`, it is the features' length over
   * the example width (which must divide it).
   */
  predict(features: Float32Array, count?: number): Promise<Float32Array>;
  /**
   * Compiles another model on the same backend (same device and tensor type), e.g. an
   * algorithm's own auxiliary network such as Arbiter's agent.
   */
  compileSibling(spec: ModelSpec, dataset: Dataset, options?: CompileOptions): Promise<Model<T>>;
  /** Frees backend resources (parameters, sessions, uploaded data). */
  dispose(): void;
}

export interface CompileOptions {
  /** Seed of the core initialiser (default 0). Ignored when `parameters` are given. */
  readonly seed?: number;
  /** Start from these parameters instead of the seeded initialisation. */
  readonly parameters?: readonly Float32Array[];
}

/** A backend compiles specs into models. Created by a factory such as `jsBackend()`. */
export interface Backend<T> {
  readonly specificationVersion: 'abs-backend-v1';
  readonly name: string;
  readonly ops: TensorOps<T>;
  readonly capabilities: ReadonlySet<Capability>;
  compile(spec: ModelSpec, dataset: Dataset, options?: CompileOptions): Promise<Model<T>>;
}
