/**
 * The contiguous split of a global batch over ranks: rank r evaluates indices
 * [start_r, start_r + count_r), with counts differing by at most one (the first n mod size
 * ranks take one more). Every rank computes the same split from n and size alone.
 */
import { BatchTooSmallError } from '@abs/core';

export interface BatchSplit {
  /** Examples per rank, in rank order; they sum to n. */
  readonly counts: readonly number[];
  /** First index of each rank's slice. */
  readonly starts: readonly number[];
}

/** @throws BatchTooSmallError when n < size (a rank would get no example) */
export function splitBatch(n: number, size: number): BatchSplit {
  if (n < size) {
    throw new BatchTooSmallError({
      where: 'distributed',
      required: size,
      actual: n,
      reason: `a global batch must give each of the ${size} ranks at least one example`,
    });
  }
  const base = Math.floor(n / size);
  const extra = n % size;
  const counts = Array.from({ length: size }, (_, r) => base + (r < extra ? 1 : 0));
  const starts = counts.map((_, r) => r * base + Math.min(r, extra));
  return { counts, starts };
}
