/**
 * A data file exists but its content is not what its format promises (bad magic number,
 * truncated data, a row of the wrong length, a label out of range). The message names the
 * file and the problem; `offset` is the byte where it is, when the format has records.
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
  /** Byte offset of the problem in the file, when known (e.g. a bad CIFAR label byte). */
  readonly offset: number | undefined;

  constructor(options: { file: string; format: string; problem: string; offset?: number; cause?: unknown }) {
    super(`'${options.file}' is not a valid ${options.format} file: ${options.problem}`, { cause: options.cause });
    this.file = options.file;
    this.format = options.format;
    this.problem = options.problem;
    this.offset = options.offset;
  }

  static override isInstance(error: unknown): error is DataFormatError {
    return hasMarker(error, marker);
  }
}
