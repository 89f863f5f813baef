import { hasMarker } from './abs-error';
import { InvalidArgumentError } from './invalid-argument-error';

const marker = Symbol.for('abs.error.InvalidCheckpointError');

/**
 * A checkpoint cannot be resumed: a field is missing or corrupted, or it was made for another
 * dataset or configuration. `field` is its path (`resume.parameters[2].data`,
 * `resume.dataset.size`, `resume.config.learningRate`).
 */
export class InvalidCheckpointError extends InvalidArgumentError {
  protected readonly [marker] = true;
  override readonly code: string = 'abs.invalid-checkpoint';

  constructor(options: { field: string; value: unknown; problem: string; cause?: unknown }) {
    super({
      argument: options.field,
      value: options.value,
      message: `${options.field}: ${options.problem}`,
      cause: options.cause,
    });
  }

  /** Path of the offending field (same as `argument`). */
  get field(): string {
    return this.argument;
  }

  static override isInstance(error: unknown): error is InvalidCheckpointError {
    return hasMarker(error, marker);
  }
}
