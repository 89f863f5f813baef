import { AbsError, hasMarker } from './abs-error';

const marker = Symbol.for('abs.error.UnsupportedCapabilityError');

/** A backend or model cannot provide something an algorithm needs. Thrown before training starts. */
export class UnsupportedCapabilityError extends AbsError {
  protected readonly [marker] = true;
  readonly code = 'abs.unsupported-capability';
  readonly capability: string;
  readonly backend: string;

  constructor(options: { capability: string; backend: string; detail?: string; cause?: unknown }) {
    const detail = options.detail ? `: ${options.detail}` : '';
    super(`backend '${options.backend}' does not support capability '${options.capability}'${detail}`, {
      cause: options.cause,
    });
    this.capability = options.capability;
    this.backend = options.backend;
  }

  static override isInstance(error: unknown): error is UnsupportedCapabilityError {
    return hasMarker(error, marker);
  }
}
