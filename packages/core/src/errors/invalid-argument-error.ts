import { AbsError, hasMarker } from './abs-error';

const marker = Symbol.for('abs.error.InvalidArgumentError');

/** A function argument (not a configuration option) has an invalid value. */
export class InvalidArgumentError extends AbsError {
  protected readonly [marker] = true;
  readonly code: string = 'abs.invalid-argument';
  readonly argument: string;
  readonly value: unknown;

  constructor(options: { argument: string; value: unknown; message: string; cause?: unknown }) {
    super(options.message, { cause: options.cause });
    this.argument = options.argument;
    this.value = options.value;
  }

  static override isInstance(error: unknown): error is InvalidArgumentError {
    return hasMarker(error, marker);
  }
}
