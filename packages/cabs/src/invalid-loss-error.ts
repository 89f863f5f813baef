import { AbsError } from '@abs/core';

const marker = Symbol.for('abs.error.InvalidLossError');

/**
 * The batch loss is negative. CABS assumes a non-negative loss with minimum L* = 0
 * (its rule divides by the loss), so it refuses to step; state and parameters are unchanged.
 */
export class InvalidLossError extends AbsError {
  protected readonly [marker] = true;
  readonly code = 'abs.invalid-loss';
  readonly loss: number;
  readonly step: number | undefined;

  constructor(options: { loss: number; step?: number | undefined; cause?: unknown }) {
    const at = options.step === undefined ? '' : ` at step ${options.step}`;
    super(`CABS requires a non-negative loss, got ${options.loss}${at}`, { cause: options.cause });
    this.loss = options.loss;
    this.step = options.step;
  }

  static override isInstance(error: unknown): error is InvalidLossError {
    return (
      typeof error === 'object' &&
      error !== null &&
      marker in error &&
      (error as Record<symbol, unknown>)[marker] === true
    );
  }
}
