import { AbsError, hasMarker } from './abs-error';

const marker = Symbol.for('abs.error.EmptyBatchError');

/** A batch of zero examples was asked for or received. */
export class EmptyBatchError extends AbsError {
  protected readonly [marker] = true;
  readonly code = 'abs.empty-batch';

  constructor(options: { where: string; cause?: unknown }) {
    super(`${options.where}: the batch is empty (0 examples)`, { cause: options.cause });
  }

  static override isInstance(error: unknown): error is EmptyBatchError {
    return hasMarker(error, marker);
  }
}
