/**
 * The Adam building block (Kingma & Ba 2015, Algorithm 1), as optax's `scale_by_adam`: from
 * one parameter's gradient g (weight decay already added) and its moments, the new moments
 *   m ← β1·m + (1−β1)·g,   v ← β2·v + (1−β2)·g²
 * and the bias-corrected direction u = m̂/(√v̂ + ε), m̂ = m/(1−β1^t), v̂ = v/(1−β2^t).
 * `adam` steps along −η·u; Adam-HD also keeps u for its hypergradient.
 */
import type { ScaleByAdamInput, TensorOps } from '../tensor/tensor-ops';
import { decayedGradient } from './optimizer';

export interface AdamHyperParameters {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

/** New moments and the direction for update number `step` (1-based); the caller owns all three. */
export function scaleByAdam<T>(
  ops: TensorOps<T>,
  input: { readonly gradient: T; readonly m: T; readonly v: T; readonly step: number },
  hyper: AdamHyperParameters,
): { m: T; v: T; direction: T } {
  const { beta1, beta2, epsilon } = hyper;
  const correction1 = 1 - beta1 ** input.step;
  const correction2 = 1 - beta2 ** input.step;
  // u = (m/c1) / (√(v/c2) + ε) = m / (√v·c1/√c2 + ε·c1)
  const fused: ScaleByAdamInput<T> = {
    gradient: input.gradient,
    m: input.m,
    v: input.v,
    beta1,
    beta2,
    rootScale: correction1 / Math.sqrt(correction2),
    shift: epsilon * correction1,
  };
  return ops.scaleByAdam ? ops.scaleByAdam(fused) : composeScaleByAdam(ops, fused);
}

/** `scaleByAdam` from the elementwise operations: the definition a fused kernel must match. */
export function composeScaleByAdam<T>(ops: TensorOps<T>, input: ScaleByAdamInput<T>): { m: T; v: T; direction: T } {
  const m = ops.axpby(input.beta1, input.m, 1 - input.beta1, input.gradient);
  const g2 = ops.square(input.gradient);
  const v = ops.axpby(input.beta2, input.v, 1 - input.beta2, g2);
  const root = ops.sqrt(v);
  const denominator = ops.scale(root, input.rootScale);
  const shifted = ops.addScalar(denominator, input.shift);
  const direction = ops.div(m, shifted);
  for (const x of [g2, root, denominator, shifted]) ops.dispose(x);
  return { m, v, direction };
}

/**
 * One Adam update over a parameter list (update number `step`, 1-based): per parameter
 * g + λθ, `scaleByAdam`, θ − η·u. The caller owns what is returned; the directions u are
 * returned only with `keepDirections` (Adam-HD needs them) and disposed otherwise.
 */
export function adamStep<T>(
  ops: TensorOps<T>,
  input: {
    readonly gradient: readonly T[];
    readonly parameters: readonly T[];
    readonly m: readonly T[];
    readonly v: readonly T[];
    readonly step: number;
    readonly learningRate: number;
  },
  hyper: AdamHyperParameters & { readonly weightDecay: number; readonly keepDirections?: boolean },
): { parameters: T[]; m: T[]; v: T[]; directions: T[] } {
  const out = { parameters: [] as T[], m: [] as T[], v: [] as T[], directions: [] as T[] };
  input.parameters.forEach((theta, i) => {
    const g = decayedGradient(ops, input.gradient[i] as T, theta, hyper.weightDecay);
    const moments = { gradient: g.value, m: input.m[i] as T, v: input.v[i] as T, step: input.step };
    const { m, v, direction } = scaleByAdam(ops, moments, hyper);
    if (g.owned) ops.dispose(g.value);
    out.parameters.push(ops.axpby(1, theta, -input.learningRate, direction));
    out.m.push(m);
    out.v.push(v);
    if (hyper.keepDirections) out.directions.push(direction);
    else ops.dispose(direction);
  });
  return out;
}
