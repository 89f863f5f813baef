/**
 * Test models for the CABS spec vectors: brute-force mocks from `@abs/core/testing` with
 * per-example least-squares losses, and a wrapper that replaces a model's `evaluate`.
 */
import type { Capability, EvaluateRequest, EvaluateResult, HostTensor, Model } from '@abs/core';
import { createMockModel } from '@abs/core/testing';

/**
 * ℓ_i(w) = ½(x_iᵀw − y_i)² for the rows of `X`, each example repeated `copies` times
 * (example k is row k mod rows), so a full batch has the same means as the rows alone.
 */
export function leastSquaresModel(options: {
  X: readonly (readonly number[])[];
  y: readonly number[];
  w: readonly number[];
  copies?: number;
}): Model<HostTensor> {
  const rows = options.X.length;
  return createMockModel({
    shapes: [[options.w.length]],
    initial: [Float32Array.from(options.w)],
    size: rows * (options.copies ?? 1),
    perExample: (k, [w]) => {
      const x = options.X[k % rows] as readonly number[];
      const r = x.reduce((s, xj, j) => s + xj * (w?.[j] as number), 0) - (options.y[k % rows] as number);
      return { loss: 0.5 * r * r, gradient: [x.map((xj) => r * xj)] };
    },
  });
}

/** ℓ_i(w) = ½‖w − y_i‖² (mean estimation) in any dimension, starting at `w`. */
export function meanEstimationModel(y: readonly (readonly number[])[], w: readonly number[]): Model<HostTensor> {
  return createMockModel({
    shapes: [[w.length]],
    initial: [Float32Array.from(w)],
    size: y.length,
    perExample: (i, [p]) => {
      const r = (y[i] as readonly number[]).map((yj, j) => (p?.[j] as number) - yj);
      return { loss: 0.5 * r.reduce((s, v) => s + v * v, 0), gradient: [r] };
    },
  });
}

type Evaluate = (
  batch: Int32Array | readonly number[],
  request?: EvaluateRequest<HostTensor>,
) => Promise<EvaluateResult<HostTensor>>;

/** `base` (parameters included) without one capability: CABS takes its moment path on it. */
export function withoutCapability<T>(base: Model<T>, capability: Capability): Model<T> {
  const model = Object.create(base) as Model<T>;
  const capabilities = new Set(base.capabilities);
  capabilities.delete(capability);
  Object.defineProperty(model, 'capabilities', { value: capabilities });
  return model;
}

/**
 * `base` with its `evaluate` replaced (everything else, parameters included, is `base`'s).
 * Replacements answer with second moments, so the wrapper does not offer per-example norms.
 */
export function withEvaluate(base: Model<HostTensor>, evaluate: Evaluate): Model<HostTensor> {
  const model = withoutCapability(base, 'perExampleGradientNormSquared');
  Object.defineProperty(model, 'evaluate', { value: evaluate });
  return model;
}
