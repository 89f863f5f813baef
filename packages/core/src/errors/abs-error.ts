/**
 * Base class of every error abs throws. `isInstance` checks a `Symbol.for` marker
 * instead of `instanceof`, so it works across duplicate copies of the package and
 * between its ESM and CJS builds.
 */
const marker = Symbol.for('abs.error');

export abstract class AbsError extends Error {
  protected readonly [marker] = true;
  /** Stable machine-readable code, e.g. `'abs.invalid-hyper-parameter'`. */
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  static isInstance(error: unknown): error is AbsError {
    return hasMarker(error, marker);
  }
}

/** True when `error` carries the given `Symbol.for` marker. */
export function hasMarker(error: unknown, symbol: symbol): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    symbol in error &&
    (error as Record<symbol, unknown>)[symbol] === true
  );
}
