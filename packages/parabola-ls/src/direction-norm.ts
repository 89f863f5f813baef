/**
 * ‖d‖² of a search direction d built from this step's gradient g (d = g, a running mean with
 * g, or β·buf + g), with the check that g is finite folded into it: a non-finite entry of g
 * makes the same entry of d non-finite (the other terms are finite state), so ‖d‖² is not
 * finite; only then are g's tensors checked one by one, to name the first bad one. This saves
 * the separate pass (and, on a device, the round trip per tensor) that checking g first costs
 * on every step. The sum is `dotList(d, d)`'s, term for term, so `Math.sqrt` of it is `normList(d)`.
 */
import { assertFiniteTensors, type Model } from '@abs/core';

/**
 * @throws NonFiniteError naming `gradient[<parameter>]` and `step` when g is not finite
 * @example
 * const squared = await checkedSquaredNorm(model, { gradient, direction: gradient, step });
 * Math.sqrt(squared); // ‖g‖, as normList(model.ops, gradient)
 */
export async function checkedSquaredNorm<T>(
  model: Pick<Model<T>, 'ops' | 'parameterInfo'>,
  input: { readonly gradient: readonly T[]; readonly direction: readonly T[]; readonly step: number },
): Promise<number> {
  const { ops } = model;
  const parts = await Promise.all(input.direction.map((x) => ops.dot(x, x)));
  const squared = parts.reduce((s, v) => s + v, 0);
  if (!Number.isFinite(squared)) {
    const names = model.parameterInfo.map((p) => p.name);
    await assertFiniteTensors(ops, input.gradient, { prefix: 'gradient', names, step: input.step });
  }
  return squared;
}
