import { AbsError, hasMarker } from '@abs/core';

const marker = Symbol.for('abs.error.MpiCallError');

/**
 * An MPI function returned an error code. (MPI's default error handler aborts the job before
 * returning one; this is seen only where the communicator's handler was changed to return.)
 */
export class MpiCallError extends AbsError {
  protected readonly [marker] = true;
  readonly code = 'abs.mpi-call';
  readonly call: string;
  readonly status: number;

  constructor(options: { call: string; status: number; cause?: unknown }) {
    super(`distributed: ${options.call} returned MPI error code ${options.status}`, { cause: options.cause });
    this.call = options.call;
    this.status = options.status;
  }

  static override isInstance(error: unknown): error is MpiCallError {
    return hasMarker(error, marker);
  }
}
