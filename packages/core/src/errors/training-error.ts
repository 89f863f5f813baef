import { AbsError, hasMarker } from './abs-error';

const marker = Symbol.for('abs.error.TrainingError');

/**
 * `train` stopped because a step failed. `cause` is the original error (often a
 * `NonFiniteError`), `step` the failing step, and `checkpoint` the last good state:
 * pass it to `train(..., { resume })` after fixing the cause. The model still holds
 * the last good parameters.
 */
export class TrainingError<C = unknown> extends AbsError {
  protected readonly [marker] = true;
  readonly code = 'abs.training-stopped';
  readonly step: number;
  readonly checkpoint: C;

  constructor(options: { step: number; checkpoint: C; cause: unknown }) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`training stopped at step ${options.step}: ${reason}`, { cause: options.cause });
    this.step = options.step;
    this.checkpoint = options.checkpoint;
  }

  static override isInstance(error: unknown): error is TrainingError {
    return hasMarker(error, marker);
  }
}
