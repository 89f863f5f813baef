import { AbsError, hasMarker } from '@abs/core';

const marker = Symbol.for('abs.error.RankMismatchError');

/** What differed between ranks. */
export type RankMismatchSubject = 'configuration' | 'dataset' | 'parameters' | 'batch' | 'request' | 'agreement';

/**
 * Ranks that must hold the same thing do not: a different configuration or dataset at start,
 * or parameters, batch or request that diverged during the run. Every rank throws it, since
 * every rank sees the same all-reduced fingerprints.
 */
export class RankMismatchError extends AbsError {
  protected readonly [marker] = true;
  readonly code = 'abs.rank-mismatch';
  readonly subject: RankMismatchSubject;

  constructor(options: { subject: RankMismatchSubject; detail: string; cause?: unknown }) {
    super(`distributed: ranks disagree on the ${options.subject} (${options.detail})`, { cause: options.cause });
    this.subject = options.subject;
  }

  static override isInstance(error: unknown): error is RankMismatchError {
    return hasMarker(error, marker);
  }
}
