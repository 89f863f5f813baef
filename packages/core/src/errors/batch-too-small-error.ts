import { AbsError, hasMarker } from './abs-error';

const marker = Symbol.for('abs.error.BatchTooSmallError');

/** An algorithm needs more examples in a batch than it got (e.g. a variance needs ≥ 2). */
export class BatchTooSmallError extends AbsError {
  protected readonly [marker] = true;
  readonly code = 'abs.batch-too-small';
  readonly required: number;
  readonly actual: number;

  constructor(options: { where: string; required: number; actual: number; reason: string; cause?: unknown }) {
    super(`${options.where}: ${options.reason} (got ${options.actual}, need ≥ ${options.required})`, {
      cause: options.cause,
    });
    this.required = options.required;
    this.actual = options.actual;
  }

  static override isInstance(error: unknown): error is BatchTooSmallError {
    return hasMarker(error, marker);
  }
}
