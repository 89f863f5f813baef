import { AbsError, hasMarker } from './abs-error';

const marker = Symbol.for('abs.error.NonFiniteError');

/**
 * A quantity became NaN or ±Infinity. Names the quantity (`loss`, `gradient[dense0/weight]`,
 * `xi`, ...) and the step at which it happened. Algorithms throw it before changing any
 * state or parameter, so the last good values stay available.
 */
export class NonFiniteError extends AbsError {
  protected readonly [marker] = true;
  readonly code = 'abs.non-finite';
  readonly quantity: string;
  readonly step: number | undefined;
  readonly value: number;

  constructor(options: { quantity: string; value: number; step?: number | undefined; cause?: unknown }) {
    const at = options.step === undefined ? '' : ` at step ${options.step}`;
    super(`${options.quantity} is ${options.value}${at}`, { cause: options.cause });
    this.quantity = options.quantity;
    this.value = options.value;
    this.step = options.step;
  }

  static override isInstance(error: unknown): error is NonFiniteError {
    return hasMarker(error, marker);
  }
}
