/**
 * A data file exists but its content is not what its format promises (bad magic number,
 * truncated data, a row of the wrong length). The message names the file and the problem.
 */
import { AbsError, hasMarker } from '@abs/core';

const marker = Symbol.for('abs.error.DataFormatError');

export class DataFormatError extends AbsError {
  protected readonly [marker] = true;
  readonly code = 'abs.data-format';
  /** Path (or caller-given name) of the offending file. */
  readonly file: string;
  /** The format it should have, e.g. `'IDX'`. */
  readonly format: string;
  readonly problem: string;

  constructor(options: { file: string; format: string; problem: string; cause?: unknown }) {
    super(`'${options.file}' is not a valid ${options.format} file: ${options.problem}`, { cause: options.cause });
    this.file = options.file;
    this.format = options.format;
    this.problem = options.problem;
  }

  static override isInstance(error: unknown): error is DataFormatError {
    return hasMarker(error, marker);
  }
}
