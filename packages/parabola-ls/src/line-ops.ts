/**
 * The parameter-list operations of a line search θ0 + t·u with u = c·d: the probe and the move,
 * each one pass over the parameters where the backend has the fused kernel (`TensorOps.probeLine`,
 * `moveAlongLine`: the host backends), which never stores u; otherwise composed from `scale`,
 * `axpby`, `sub`, `dot` and `sum`, the definition the kernels match to the bit. Per-tensor results
 * are summed in float64 in list order, as `dotList` does, so the sums are the same either way.
 */
import { type Model, NonFiniteError, ShapeMismatchError, type TensorOps } from '@abs/core';

/** θ0 (`origin`), d (`direction`) and c (`directionScale`): the line θ0 + t·c·d. */
export interface Line<T> {
  readonly origin: readonly T[];
  readonly direction: readonly T[];
  readonly directionScale: number;
}

interface Part<T> {
  readonly tensor: T;
  readonly numbers: readonly number[];
}

/**
 * `f` for every tensor at once (a device overlaps the reductions' downloads, as `dotList` does);
 * when one fails, the tensors the others made are disposed and its error is thrown.
 */
async function perTensor<T>(ops: TensorOps<T>, line: Line<T>, f: (i: number) => Promise<Part<T>>): Promise<Part<T>[]> {
  if (line.origin.length !== line.direction.length) {
    const what = 'line search: parameter lists';
    throw new ShapeMismatchError({ what, expected: [line.origin.length], actual: [line.direction.length] });
  }
  const settled = await Promise.allSettled(line.origin.map((_, i) => f(i)));
  const parts: Part<T>[] = [];
  let failure: PromiseRejectedResult | undefined;
  for (const r of settled) {
    if (r.status === 'fulfilled') parts.push(r.value);
    else failure ??= r;
  }
  if (failure === undefined) return parts;
  for (const p of parts) ops.dispose(p.tensor);
  throw failure.reason;
}

/** Σ over tensors of their `k`-th number, from 0 in list order. */
const total = <T>(parts: readonly Part<T>[], k: number) => parts.reduce((s, p) => s + (p.numbers[k] as number), 0);

/** `f(u)` with u = c·d made (and disposed afterwards) only when c ≠ 1: 1·d is d exactly. */
async function withDirection<T, R>(ops: TensorOps<T>, d: T, c: number, f: (u: T) => Promise<R>): Promise<R> {
  if (c === 1) return f(d);
  const u = ops.scale(d, c);
  try {
    return await f(u);
  } finally {
    ops.dispose(u);
  }
}

/** `point` with the numbers `reduce` reads from it; `point` is disposed when a reduction throws. */
async function reduced<T>(ops: TensorOps<T>, point: T, reduce: () => Promise<number>[]): Promise<Part<T>> {
  try {
    return { tensor: point, numbers: await Promise.all(reduce()) };
  } catch (error) {
    ops.dispose(point);
    throw error;
  }
}

/**
 * The probe θ0 + t·u as the backend stores it (the caller owns it), ⟨fl(θ0 + t·u) − θ0, u⟩ and
 * ⟨u, u⟩: per tensor `axpby(1, θ0, t, u)`, `dot(sub(point, θ0), u)` and `dot(u, u)`.
 */
export async function probeLineList<T>(
  ops: TensorOps<T>,
  line: Line<T>,
  distance: number,
): Promise<{ point: T[]; travelled: number; directionDot: number }> {
  const c = line.directionScale;
  const parts = await perTensor(ops, line, async (i) => {
    const [origin, direction] = [line.origin[i] as T, line.direction[i] as T];
    if (ops.probeLine) {
      const r = await ops.probeLine({ origin, direction, directionScale: c }, distance);
      return { tensor: r.point, numbers: [r.travelled, r.directionDot] };
    }
    return withDirection(ops, direction, c, async (u) => {
      const point = ops.axpby(1, origin, distance, u);
      const delta = ops.sub(point, origin);
      try {
        return await reduced(ops, point, () => [ops.dot(delta, u), ops.dot(u, u)]);
      } finally {
        ops.dispose(delta);
      }
    });
  });
  return { point: parts.map((p) => p.tensor), travelled: total(parts, 0), directionDot: total(parts, 1) };
}

/**
 * The move θ0 + t·u (per tensor `axpby(1, θ0, t, u)`) with core's `assertFiniteUpdate` check on
 * it, both from one pass where the backend fuses them (the check reads each new tensor's sum, which
 * is not finite iff the tensor holds a non-finite entry). The model is untouched: the caller
 * applies what is returned.
 * @throws NonFiniteError naming the first parameter that is not finite (`parameters[dense0/weight]`)
 *   and `step`, after disposing the new tensors
 */
export async function checkedMove<T>(
  model: Pick<Model<T>, 'ops' | 'parameterInfo'>,
  line: Line<T>,
  move: { readonly distance: number; readonly step: number },
): Promise<T[]> {
  const { ops } = model;
  const c = line.directionScale;
  const parts = await perTensor(ops, line, async (i) => {
    const [origin, direction] = [line.origin[i] as T, line.direction[i] as T];
    if (ops.moveAlongLine) {
      const r = await ops.moveAlongLine({ origin, direction, directionScale: c }, move.distance);
      return { tensor: r.point, numbers: [r.sum] };
    }
    return withDirection(ops, direction, c, async (u) => {
      const point = ops.axpby(1, origin, move.distance, u);
      return reduced(ops, point, () => [ops.sum(point)]);
    });
  });
  const bad = parts.findIndex((p) => !Number.isFinite(p.numbers[0]));
  if (bad === -1) return parts.map((p) => p.tensor);
  for (const p of parts) ops.dispose(p.tensor);
  const quantity = `parameters[${model.parameterInfo[bad]?.name ?? bad}]`;
  throw new NonFiniteError({ quantity, value: parts[bad]?.numbers[0] as number, step: move.step });
}

/**
 * The line θ0 + t·c·d for the probes and the move of one step. With the fused kernels, u is never
 * stored; otherwise u = c·d is made once here (`made`, which the caller owns and disposes) and the
 * line runs along it with c = 1, so each probe and move costs what it did before the kernels.
 */
export function prepareLine<T>(
  ops: TensorOps<T>,
  line: Line<T>,
): { readonly line: Line<T>; readonly made: T[] | null } {
  if ((ops.probeLine && ops.moveAlongLine) || line.directionScale === 1) return { line, made: null };
  const made = line.direction.map((d) => ops.scale(d, line.directionScale));
  return { line: { origin: line.origin, direction: made, directionScale: 1 }, made };
}
