import { AbsError, hasMarker } from './abs-error';

const marker = Symbol.for('abs.error.ShapeMismatchError');

/** Two shapes that must agree do not. The message names what was compared and both shapes. */
export class ShapeMismatchError extends AbsError {
  protected readonly [marker] = true;
  readonly code = 'abs.shape-mismatch';
  readonly what: string;
  readonly expected: readonly number[];
  readonly actual: readonly number[];

  constructor(options: { what: string; expected: readonly number[]; actual: readonly number[]; cause?: unknown }) {
    super(`${options.what}: expected shape [${options.expected.join(', ')}], got [${options.actual.join(', ')}]`, {
      cause: options.cause,
    });
    this.what = options.what;
    this.expected = options.expected;
    this.actual = options.actual;
  }

  static override isInstance(error: unknown): error is ShapeMismatchError {
    return hasMarker(error, marker);
  }
}
