import { AbsError, hasMarker } from './abs-error';

const marker = Symbol.for('abs.error.BackendUnavailableError');

/** A backend (or an execution provider of it) cannot start here; the reason says how to fix it. */
export class BackendUnavailableError extends AbsError {
  protected readonly [marker] = true;
  readonly code = 'abs.backend-unavailable';
  readonly backend: string;
  readonly reason: string;

  constructor(options: { backend: string; reason: string; cause?: unknown }) {
    super(`backend '${options.backend}' is unavailable: ${options.reason}`, { cause: options.cause });
    this.backend = options.backend;
    this.reason = options.reason;
  }

  static override isInstance(error: unknown): error is BackendUnavailableError {
    return hasMarker(error, marker);
  }
}
