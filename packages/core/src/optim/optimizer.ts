/**
 * Base optimisers as pure update rules over `TensorOps`, in the style of optax:
 * `init` makes the state, `update` returns new parameters and a new state and never
 * modifies or disposes its inputs. Hyper-parameters live in the state (the learning rate
 * can be overridden per call), so algorithms that adapt the step size reuse them as is.
 */
import type { TensorOps } from '../tensor/tensor-ops';

export interface OptimizerState<T> {
  /** Number of updates applied so far. */
  readonly step: number;
  /** The learning rate of the last update (or the configured one before any update). */
  readonly learningRate: number;
  /** Per-parameter buffers, e.g. `{ momentum: [...] }` or `{ m: [...], v: [...] }`. */
  readonly slots: Readonly<Record<string, readonly T[]>>;
}

export interface OptimizerUpdate<T> {
  readonly gradient: readonly T[];
  readonly parameters: readonly T[];
  readonly state: OptimizerState<T>;
  /** Overrides the configured learning rate for this update. */
  readonly learningRate?: number;
}

export interface Optimizer {
  readonly name: string;
  /** The resolved, JSON-serialisable configuration. */
  readonly config: Readonly<Record<string, number | boolean | string>>;
  readonly learningRate: number;
  /**
   * Set when `update` is exactly θ ← (1 − η·λ)·θ − η·g with no state but the step count, so an
   * algorithm may let a model with `sgdStep` take the step in its own pass.
   */
  readonly fusedSgd?: { readonly weightDecay: number };
  init<T>(ops: TensorOps<T>, parameters: readonly T[]): OptimizerState<T>;
  /** Returns new parameters and state; the caller owns both and disposes the old ones. */
  update<T>(ops: TensorOps<T>, input: OptimizerUpdate<T>): { parameters: T[]; state: OptimizerState<T> };
}

/** Disposes every buffer of an optimiser state. */
export function disposeOptimizerState<T>(ops: TensorOps<T>, state: OptimizerState<T>): void {
  for (const list of Object.values(state.slots)) for (const x of list) ops.dispose(x);
}

/**
 * The gradient with coupled L2 weight decay, g + λ·θ, or `g` itself (not a copy) when
 * λ = 0; `owned` tells the caller whether to dispose it.
 */
export function decayedGradient<T>(
  ops: TensorOps<T>,
  gradient: T,
  parameter: T,
  weightDecay: number,
): { value: T; owned: boolean } {
  if (weightDecay === 0) return { value: gradient, owned: false };
  return { value: ops.axpby(1, gradient, weightDecay, parameter), owned: true };
}
