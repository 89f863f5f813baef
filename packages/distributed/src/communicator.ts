/**
 * The collectives the data-parallel wrapper needs, over a group of `size` ranks. Each call is
 * collective: every rank makes the same calls in the same order with arrays of the agreed
 * lengths. Asynchronous so that an in-process group (`createLocalGroup`) can stand in for MPI.
 */
export type ReduceOp = 'sum' | 'max';

export interface Communicator {
  /** This process's index in the group, 0 ≤ rank < size. */
  readonly rank: number;
  readonly size: number;
  /** Element-wise reduction of every rank's `values` (same length on all); a new array. */
  allreduce(values: Float64Array, op: ReduceOp): Promise<Float64Array>;
  /** Every rank's `values` concatenated in rank order; `counts[r]` is rank r's length. */
  allgather(values: Float64Array, counts: readonly number[]): Promise<Float64Array>;
  /** Root's `bytes` on every rank (the others' argument is ignored). */
  broadcast(bytes: Uint8Array, root: number): Promise<Uint8Array>;
}
