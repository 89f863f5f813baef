/**
 * Test helper: the moments (g, M) of given per-sample gradients, computed by the definition
 * in float64 and uploaded as one tensor per parameter.
 */
import type { TensorOps } from '@abs/core';
import type { GradientMoments } from '../moments';

/** `samples[i][p]` is example i's gradient of parameter tensor p (flat). */
export function momentsOf<T>(
  ops: TensorOps<T>,
  samples: readonly (readonly (readonly number[])[])[],
): GradientMoments<T> {
  const n = samples.length;
  const first = samples[0] ?? [];
  const mean = first.map((_, p) => {
    const out = new Float64Array(first[p]?.length ?? 0);
    for (const s of samples) (s[p] as readonly number[]).forEach((v, j) => (out[j] = (out[j] as number) + v / n));
    return ops.fromArray(Float32Array.from(out), [out.length]);
  });
  const secondMoment = first.map((_, p) => {
    const out = new Float64Array(first[p]?.length ?? 0);
    for (const s of samples) (s[p] as readonly number[]).forEach((v, j) => (out[j] = (out[j] as number) + (v * v) / n));
    return ops.fromArray(Float32Array.from(out), [out.length]);
  });
  return { count: n, mean, secondMoment };
}
