/**
 * Thrown by LABPAL when `maxConsecutiveFailures` measurement windows in a row fail (aborted at
 * the direction stage, or a rejected parabola) before any step size is known, so there is
 * nothing to train with. Replaces the reference's TypeError crash and endless retry loop
 * (README “Move, failure and abort”, “API”).
 */
import { AbsError, hasMarker } from '@abs/core';

const marker = Symbol.for('abs.error.MeasurementFailedError');

/**
 * @example
 * try {
 *   await algorithm.step(model, state);
 * } catch (error) {
 *   if (MeasurementFailedError.isInstance(error)) error.reason; // 'direction norm 1.0e-4 < normGuard[0] = 1e-3'
 * }
 * @see README “Move, failure and abort”
 */
export class MeasurementFailedError extends AbsError {
  protected readonly [marker] = true;
  readonly code = 'abs.measurement-failed';
  /** Why the last window failed, e.g. `direction norm 1.0e-4 < normGuard[0] = 1e-3`. */
  readonly reason: string;
  /** Consecutive failed windows (equals `maxConsecutiveFailures`). */
  readonly attempts: number;
  /** 1-based step (call k + 1) at which the last window failed. */
  readonly step: number;

  constructor(options: { reason: string; attempts: number; step: number; cause?: unknown }) {
    super(
      `labpal: measurement failed in ${options.attempts} consecutive windows and no step size is known ` +
        `(last: ${options.reason}) at step ${options.step}`,
      { cause: options.cause },
    );
    this.reason = options.reason;
    this.attempts = options.attempts;
    this.step = options.step;
  }

  static override isInstance(error: unknown): error is MeasurementFailedError {
    return hasMarker(error, marker);
  }
}
