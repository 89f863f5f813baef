/**
 * Mergeable statistics for data-parallel training. A worker's batch is summarised by sums,
 * (n, Σℓ_i, Σ g_i, Σ g_i∘g_i); the union of disjoint batches has the element-wise sum of
 * the workers' sums, so any all-reduce that adds gives the union batch's moments and hence
 * its variance, ξ and noise scale. Means (what `Model.evaluate` returns) convert to sums by
 * multiplying with n and back by dividing by the merged n.
 */
import { InvalidArgumentError, ShapeMismatchError, type TensorOps } from '@abs/core';
import { checkMoments, type GradientMoments } from './moments';

export interface MomentSums<T> {
  /** n, the number of examples. */
  readonly count: number;
  /** Σ_i ℓ_i, when the loss is tracked. */
  readonly lossSum?: number;
  /** Σ_i g_i per parameter. */
  readonly gradientSum: readonly T[];
  /** Σ_i g_i∘g_i per parameter. */
  readonly squaredGradientSum: readonly T[];
}

/** Moments plus the mean loss, the shape `momentsFromSums` returns. */
export interface BatchMoments<T> extends GradientMoments<T> {
  readonly loss?: number;
}

function checkCount(count: number, where: string): void {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new InvalidArgumentError({
      argument: 'count',
      value: count,
      message: `${where}: count must be a non-negative integer, got ${count}`,
    });
  }
}

/**
 * Sums of one worker's batch from its means: Σg = n·g, Σg² = n·M, Σℓ = n·L.
 * @param ops the backend's tensor operations
 * @param moments count n, mean gradient, second moment and optionally the mean loss
 * @returns new tensors owned by the caller (`disposeMomentSums`)
 * @example
 * const r = await model.evaluate(batch, { gradient: true, secondMoment: true });
 * toMomentSums(model.ops, { count: r.batchSize, loss: r.loss, mean: r.gradient, secondMoment: r.secondMoment });
 */
export function toMomentSums<T>(ops: TensorOps<T>, moments: BatchMoments<T>): MomentSums<T> {
  checkMoments(moments, 'toMomentSums');
  checkCount(moments.count, 'toMomentSums');
  const n = moments.count;
  return {
    count: n,
    ...(moments.loss === undefined ? {} : { lossSum: moments.loss * n }),
    gradientSum: moments.mean.map((g) => ops.scale(g, n)),
    squaredGradientSum: moments.secondMoment.map((m) => ops.scale(m, n)),
  };
}

/**
 * Adds the sums of several workers (left to right): the sums of the union of their batches.
 * `lossSum` is kept only if every part has it.
 * @returns new tensors owned by the caller; the parts are left alone
 * @example
 * const union = addMomentSums(ops, [workerA, workerB]);
 * const moments = momentsFromSums(ops, union); // as if one worker had evaluated both batches
 */
export function addMomentSums<T>(ops: TensorOps<T>, parts: readonly MomentSums<T>[]): MomentSums<T> {
  const first = parts[0];
  if (first === undefined) {
    throw new InvalidArgumentError({ argument: 'parts', value: parts, message: 'addMomentSums: parts is empty' });
  }
  for (const part of parts) {
    checkCount(part.count, 'addMomentSums');
    for (const list of [part.gradientSum, part.squaredGradientSum]) {
      if (list.length !== first.gradientSum.length) {
        throw new ShapeMismatchError({
          what: 'addMomentSums: tensors per part',
          expected: [first.gradientSum.length],
          actual: [list.length],
        });
      }
    }
  }
  const add = (pick: (s: MomentSums<T>) => readonly T[]) =>
    pick(first).map((start, p) => {
      let total = ops.clone(start);
      for (const part of parts.slice(1)) {
        const next = ops.add(total, pick(part)[p] as T);
        ops.dispose(total);
        total = next;
      }
      return total;
    });
  const losses = parts.map((s) => s.lossSum);
  const tracked = losses.every((l): l is number => l !== undefined);
  return {
    count: parts.reduce((n, s) => n + s.count, 0),
    ...(tracked ? { lossSum: losses.reduce((a, b) => a + b, 0) } : {}),
    gradientSum: add((s) => s.gradientSum),
    squaredGradientSum: add((s) => s.squaredGradientSum),
  };
}

/**
 * Means from sums: g = Σg/n, M = Σg²/n, L = Σℓ/n.
 * @returns new tensors owned by the caller
 * @throws InvalidArgumentError when n = 0 (no mean exists)
 */
export function momentsFromSums<T>(ops: TensorOps<T>, sums: MomentSums<T>): BatchMoments<T> {
  checkCount(sums.count, 'momentsFromSums');
  if (sums.count === 0) {
    throw new InvalidArgumentError({
      argument: 'count',
      value: 0,
      message: 'momentsFromSums: count must be ≥ 1 to form means, got 0',
    });
  }
  const n = sums.count;
  return {
    count: n,
    ...(sums.lossSum === undefined ? {} : { loss: sums.lossSum / n }),
    mean: sums.gradientSum.map((s) => ops.scale(s, 1 / n)),
    secondMoment: sums.squaredGradientSum.map((s) => ops.scale(s, 1 / n)),
  };
}

/** Disposes the tensors of `MomentSums` or `BatchMoments`. */
export function disposeMoments<T>(ops: TensorOps<T>, value: MomentSums<T> | GradientMoments<T>): void {
  const lists =
    'gradientSum' in value ? [value.gradientSum, value.squaredGradientSum] : [value.mean, value.secondMoment];
  for (const list of lists) for (const x of list) ops.dispose(x);
}
