/**
 * `TensorOps` lifted over parameter lists (one tensor per weight or bias). Every function
 * returns new tensors and leaves its inputs alone; reductions sum per-tensor results in
 * float64 in JavaScript.
 */
import { ShapeMismatchError } from '../errors/shape-mismatch-error';
import type { TensorOps } from './tensor-ops';

function pair<T, R>(what: string, a: readonly T[], b: readonly T[], f: (x: T, y: T) => R): R[] {
  if (a.length !== b.length) {
    throw new ShapeMismatchError({ what: `${what}: parameter lists`, expected: [a.length], actual: [b.length] });
  }
  return a.map((x, i) => f(x, b[i] as T));
}

export const addList = <T>(ops: TensorOps<T>, a: readonly T[], b: readonly T[]): T[] =>
  pair('addList', a, b, (x, y) => ops.add(x, y));

export const subList = <T>(ops: TensorOps<T>, a: readonly T[], b: readonly T[]): T[] =>
  pair('subList', a, b, (x, y) => ops.sub(x, y));

export const scaleList = <T>(ops: TensorOps<T>, a: readonly T[], s: number): T[] => a.map((x) => ops.scale(x, s));

/** `α·x + β·y` per tensor. */
export const axpbyList = <T>(ops: TensorOps<T>, alpha: number, x: readonly T[], beta: number, y: readonly T[]): T[] =>
  pair('axpbyList', x, y, (u, v) => ops.axpby(alpha, u, beta, v));

export const zerosLikeList = <T>(ops: TensorOps<T>, a: readonly T[]): T[] => a.map((x) => ops.zerosLike(x));

export const cloneList = <T>(ops: TensorOps<T>, a: readonly T[]): T[] => a.map((x) => ops.clone(x));

export function disposeList<T>(ops: TensorOps<T>, a: readonly T[] | undefined): void {
  if (a) for (const x of a) ops.dispose(x);
}

export const readList = <T>(ops: TensorOps<T>, a: readonly T[]): Promise<Float32Array[]> =>
  Promise.all(a.map((x) => ops.read(x)));

/** Σ over tensors and elements. */
export async function sumList<T>(ops: TensorOps<T>, a: readonly T[]): Promise<number> {
  const parts = await Promise.all(a.map((x) => ops.sum(x)));
  return parts.reduce((s, v) => s + v, 0);
}

/** ⟨a, b⟩ over the whole parameter vector. */
export async function dotList<T>(ops: TensorOps<T>, a: readonly T[], b: readonly T[]): Promise<number> {
  const parts = await Promise.all(pair('dotList', a, b, (x, y) => ops.dot(x, y)));
  return parts.reduce((s, v) => s + v, 0);
}

/** ‖a‖₂ over the whole parameter vector. */
export async function normList<T>(ops: TensorOps<T>, a: readonly T[]): Promise<number> {
  return Math.sqrt(await dotList(ops, a, a));
}
