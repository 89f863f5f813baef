/**
 * Hidden-layer activations and their derivatives, the latter written in terms of the
 * pre-activation z and the activation a = f(z) (whichever is cheaper).
 */
import type { Activation } from '@abs/core';

export function activate(kind: Activation, z: Float64Array): Float64Array {
  const a = new Float64Array(z.length);
  for (let i = 0; i < z.length; i++) {
    const v = z[i] as number;
    if (kind === 'relu') a[i] = Math.max(v, 0);
    else if (kind === 'tanh') a[i] = Math.tanh(v);
    else if (kind === 'sigmoid') a[i] = 1 / (1 + Math.exp(-v));
    else a[i] = v;
  }
  return a;
}

/** In place: upstream ← upstream ∘ f′(z). */
export function multiplyDerivative(kind: Activation, upstream: Float64Array, z: Float64Array, a: Float64Array): void {
  if (kind === 'identity') return;
  for (let i = 0; i < upstream.length; i++) {
    const ai = a[i] as number;
    const d = kind === 'relu' ? ((z[i] as number) > 0 ? 1 : 0) : kind === 'tanh' ? 1 - ai * ai : ai * (1 - ai);
    upstream[i] = (upstream[i] as number) * d;
  }
}
