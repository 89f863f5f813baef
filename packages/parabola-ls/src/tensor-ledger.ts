/**
 * Bookkeeping for the step contract of `Algorithm` (packages/core algorithm.ts): a step may
 * dispose the tensors of the state it consumes, but only once nothing can throw any more.
 * Tensors made during the step are recorded (`create`) and freed if the step throws;
 * tensors no longer needed (`discard`) are freed at once when made in this step, and on
 * `commit` when they belong to the input state.
 */
import type { TensorOps } from '@abs/core';

export class TensorLedger<T> {
  private readonly created = new Set<T>();
  private readonly retired = new Set<T>();

  constructor(private readonly ops: TensorOps<T>) {}

  /** Records tensors made in this step and returns them. */
  create<L extends readonly T[]>(list: L): L {
    for (const x of list) this.created.add(x);
    return list;
  }

  /** Tensors the next state will not hold. */
  discard(list: readonly T[] | null | undefined): void {
    if (!list) return;
    for (const x of list) {
      if (this.created.delete(x)) this.ops.dispose(x);
      else this.retired.add(x);
    }
  }

  /** The step succeeded: free the input state's tensors that the next state no longer holds. */
  commit(): void {
    for (const x of this.retired) this.ops.dispose(x);
    this.retired.clear();
    this.created.clear();
  }

  /** The step failed: free what it made; the input state stays intact. */
  rollback(): void {
    for (const x of this.created) this.ops.dispose(x);
    this.created.clear();
    this.retired.clear();
  }
}
