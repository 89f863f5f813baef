import { AbsError, hasMarker } from '@abs/core';

const marker = Symbol.for('abs.error.RankFailedError');

/** One rank's failure, as every rank learns it. */
export interface RankFailure {
  readonly rank: number;
  /** The error's name, e.g. `'NonFiniteError'`. */
  readonly name: string;
  readonly message: string;
}

/**
 * A data-parallel evaluation failed on at least one rank. Every rank throws it from the same
 * call, so the algorithm stops on all of them at the same step (no rank is left waiting in a
 * collective); on a failing rank `cause` is its own original error.
 */
export class RankFailedError extends AbsError {
  protected readonly [marker] = true;
  readonly code = 'abs.rank-failed';
  readonly failures: readonly RankFailure[];

  constructor(options: { failures: readonly RankFailure[]; size: number; cause?: unknown }) {
    const list = options.failures.map((f) => `rank ${f.rank}: ${f.name}: ${f.message}`).join('; ');
    super(`distributed: ${options.failures.length} of ${options.size} ranks failed to evaluate the batch (${list})`, {
      cause: options.cause,
    });
    this.failures = options.failures;
  }

  static override isInstance(error: unknown): error is RankFailedError {
    return hasMarker(error, marker);
  }
}
