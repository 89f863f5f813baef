import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InvalidHyperParameterError } from '@abs/core';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFormatError } from '../errors/data-format-error';
import { DatasetUnavailableError } from '../errors/dataset-unavailable-error';
import { encodeIdx } from './encode-idx';
import type { IdxDataType } from './idx-array';
import { parseIdx, readIdx } from './read-idx';

const folder = mkdtempSync(join(tmpdir(), 'abs-data-idx-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const cases: [IdxDataType, number[], string][] = [
  ['ubyte', [0, 1, 127, 128, 255, 7], 'Uint8Array'],
  ['byte', [-128, -1, 0, 1, 127, 5], 'Int8Array'],
  ['short', [-32768, -2, 0, 258, 32767, 9], 'Int16Array'],
  ['int', [-2147483648, -70000, 0, 65536, 2147483647, 3], 'Int32Array'],
  ['float', [-1.5, 0, 0.25, Math.fround(3.4e38), Math.fround(0.1), Math.fround(1e-40)], 'Float32Array'],
  ['double', [-1.5, 0, 0.1, 1.7e308, Math.PI, 5e-324], 'Float64Array'],
];

describe('IDX', () => {
  it.each(cases)('round-trips %s through a file, plain and gzipped', async (dtype, values, arrayType) => {
    const bytes = encodeIdx({ dtype, shape: [2, 3], data: values });
    for (const [name, content] of [
      [`${dtype}.idx`, bytes],
      [`${dtype}.idx.gz`, gzipSync(bytes)],
    ] as const) {
      const file = join(folder, name);
      writeFileSync(file, content);
      const array = await readIdx(file);
      expect(array.dtype).toBe(dtype);
      expect(array.shape).toEqual([2, 3]);
      expect(array.data.constructor.name).toBe(arrayType);
      expect(Array.from(array.data)).toEqual(values);
    }
  });

  it('writes the layout of the format: magic 00 00 <type> <rank>, big-endian sizes and values', () => {
    // short 0x0B, rank 1, size 2, values 0x0102 = 258 and −2 = 0xFFFE
    expect(Array.from(encodeIdx({ dtype: 'short', shape: [2], data: [258, -2] }))).toEqual([
      0, 0, 0x0b, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xfe,
    ]);
    // MNIST's image header: 0x00000803, then 60000 = 0x0000EA60, 28, 28.
    const header = encodeIdx({ dtype: 'ubyte', shape: [1, 28, 28], data: new Uint8Array(784) }).subarray(0, 8);
    expect(Array.from(header)).toEqual([0, 0, 8, 3, 0, 0, 0, 1]);
    expect(parseIdx(Uint8Array.of(0, 0, 0x08, 1, 0, 0, 0, 2, 7, 9))).toEqual({
      dtype: 'ubyte',
      shape: [2],
      data: Uint8Array.of(7, 9),
    });
  });

  it('decodes from any byte offset of a larger buffer', () => {
    const bytes = encodeIdx({ dtype: 'int', shape: [3], data: [1, -2, 3] });
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect(Array.from(parseIdx(padded.subarray(3)).data)).toEqual([1, -2, 3]);
  });

  const valid = encodeIdx({ dtype: 'ubyte', shape: [2, 2], data: [1, 2, 3, 4] });
  it.each([
    ['too short for a magic number', Uint8Array.of(0, 0), 'truncated header: 2 bytes, the magic number alone needs 4'],
    [
      'a bad magic number',
      Uint8Array.of(1, 0, 8, 1, 0, 0, 0, 0),
      'bad magic number 0x01000801: its first two bytes must be 0',
    ],
    [
      'an unknown type',
      Uint8Array.of(0, 0, 7, 1, 0, 0, 0, 0),
      'unknown data type 0x07 in the magic number (known: 0x08 ubyte, 0x09 byte, 0x0b short, 0x0c int, 0x0d float, 0x0e double)',
    ],
    ['no dimensions', Uint8Array.of(0, 0, 8, 0), 'the magic number declares 0 dimensions'],
    [
      'a truncated header',
      valid.subarray(0, 10),
      'truncated header: 2 dimensions need 12 header bytes, the file has 10',
    ],
    [
      'truncated data',
      valid.subarray(0, 14),
      'truncated data: shape [2, 2] of ubyte needs 4 data bytes, the file has 2',
    ],
    [
      'trailing bytes',
      Uint8Array.of(...valid, 0, 0),
      '2 unexpected bytes after the data: shape [2, 2] of ubyte needs 4 data bytes',
    ],
    [
      'a corrupt gzip stream',
      Uint8Array.of(0x1f, 0x8b, 8, 0, 1, 2, 3),
      'it starts like gzip but cannot be decompressed (',
    ],
  ])('rejects a file with %s', async (_, bytes, problem) => {
    const file = join(folder, 'bad.idx');
    writeFileSync(file, bytes);
    const error = await readIdx(file).catch((e: Error) => e);
    expect(DataFormatError.isInstance(error)).toBe(true);
    expect((error as Error).message.startsWith(`'${file}' is not a valid IDX file: ${problem}`)).toBe(true);
    expect(() => parseIdx(bytes)).toThrow(`'<bytes>' is not a valid IDX file: ${problem}`);
  });

  it('names a file it cannot read', async () => {
    const file = join(folder, 'missing.idx');
    const error = await readIdx(file).catch((e: Error) => e);
    expect(DatasetUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(`dataset '${file}' is unavailable: cannot read the file (ENOENT`);
  });

  it.each([
    [
      { dtype: 'half', shape: [1], data: [0] },
      "encodeIdx: dtype must be one of 'ubyte' | 'byte' | 'short' | 'int' | 'float' | 'double', got \"half\"",
    ],
    [{ dtype: 'ubyte', shape: [], data: [] }, 'encodeIdx: shape must be a list of 1 to 255 dimensions, got []'],
    [{ dtype: 'ubyte', shape: [1.5], data: [0] }, 'encodeIdx: shape[0] must be an integer in [0, 4294967295], got 1.5'],
    [
      { dtype: 'ubyte', shape: [2, 2], data: [0, 1, 2] },
      'encodeIdx: data must be 4 values for shape [2, 2], got "3 values"',
    ],
    [{ dtype: 'ubyte', shape: [2], data: [0, 256] }, 'encodeIdx: data[1] must be an integer in [0, 255], got 256'],
    [{ dtype: 'byte', shape: [1], data: [0.5] }, 'encodeIdx: data[0] must be an integer in [-128, 127], got 0.5'],
  ])('encodeIdx rejects %j', (input, message) => {
    let error: unknown;
    try {
      encodeIdx(input as never);
    } catch (e) {
      error = e;
    }
    expect(InvalidHyperParameterError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(message);
  });
});
