/**
 * Decoding of IDX files (format in `idx-array.ts`), gzip-compressed or not. Every way a
 * file can be malformed is a `DataFormatError` naming the file and the problem.
 */
import { readFile } from 'node:fs/promises';
import { DataFormatError } from '../errors/data-format-error';
import { DatasetUnavailableError } from '../errors/dataset-unavailable-error';
import { inflateAtMost, inflateHead, isGzip, MAX_INFLATED_BYTES } from './bounded-gunzip';
import { hex, IDX_TYPES, type IdxArray, type IdxTypeInfo, KNOWN_TYPES } from './idx-array';

export interface ParseIdxOptions {
  /** Name of the bytes' origin for error messages; default `'<bytes>'`. */
  readonly source?: string;
}

/**
 * Reads an IDX file (e.g. `train-images-idx3-ubyte`, or its `.gz`).
 * @param path - file path
 * @example
 * const images = await readIdx('train-images-idx3-ubyte');
 * images.dtype; images.shape; // 'ubyte', [60000, 28, 28]
 */
export async function readIdx(path: string): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new DatasetUnavailableError({ dataset: path, reason: `cannot read the file (${reason})`, cause });
  }
  return parseIdx(bytes, { source: path });
}

/**
 * Decodes the bytes of an IDX file; gzip input (magic 0x1f 0x8b) is decompressed first, never
 * beyond the size its header declares (a gzip bomb fails after that many bytes).
 * @param bytes - the file's content
 * @param options - `source`, the name used in error messages
 * @example
 * parseIdx(Uint8Array.of(0, 0, 0x08, 1, 0, 0, 0, 2, 7, 9)); // { dtype: 'ubyte', shape: [2], data: Uint8Array [7, 9] }
 */
export function parseIdx(bytes: Uint8Array, options: ParseIdxOptions = {}): IdxArray {
  const file = options.source ?? '<bytes>';
  const fail = (problem: string, cause?: unknown): never => {
    throw new DataFormatError({ file, format: 'IDX', problem, cause });
  };
  const gzip = isGzip(bytes);
  const inflate = <R>(run: () => R): R => {
    try {
      return run();
    } catch (cause) {
      return fail(`it starts like gzip but cannot be decompressed (${(cause as Error).message})`, cause);
    }
  };
  const { type, shape, header, count } = readHeader(gzip ? inflate(() => inflateHead(bytes, MAX_HEADER)) : bytes, fail);
  const expected = count * type.bytes;
  const described = `shape [${shape.join(', ')}] of ${type.dtype} needs ${expected} data bytes`;
  if (gzip) {
    if (header + expected > MAX_INFLATED_BYTES) {
      return fail(`${described}, more than the ${MAX_INFLATED_BYTES} bytes a buffer can hold`);
    }
    const inflated = inflate(() => inflateAtMost(bytes, header + expected));
    if (!inflated) {
      return fail(
        `unexpected bytes after the data: ${described}, and it decompresses to more than ${header + expected} bytes`,
      );
    }
    bytes = inflated;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const actual = bytes.length - header;
  if (actual < expected) return fail(`truncated data: ${described}, the file has ${actual}`);
  if (actual > expected) return fail(`${actual - expected} unexpected bytes after the data: ${described}`);
  const data = type.create(count);
  if (type.bytes === 1) {
    data.set(
      type.dtype === 'ubyte' ? bytes.subarray(header) : new Int8Array(bytes.buffer, bytes.byteOffset + header, count),
    );
  } else {
    for (let i = 0; i < count; i++) data[i] = type.read(view, header + i * type.bytes);
  }
  return { dtype: type.dtype, shape, data };
}

/** The longest IDX header: the magic number and 255 sizes. */
const MAX_HEADER = 4 + 4 * 255;

interface IdxHeader {
  readonly type: IdxTypeInfo;
  readonly shape: number[];
  /** Bytes before the data: 4 + 4·rank. */
  readonly header: number;
  /** Values the shape declares. */
  readonly count: number;
}

/** Magic number and sizes from the start of the (decompressed) file. */
function readHeader(bytes: Uint8Array, fail: (problem: string) => never): IdxHeader {
  if (bytes.length < 4) return fail(`truncated header: ${bytes.length} bytes, the magic number alone needs 4`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (bytes[0] !== 0 || bytes[1] !== 0) return fail(`bad magic number ${hex(magic, 8)}: its first two bytes must be 0`);
  const type = IDX_TYPES.find((t) => t.code === bytes[2]);
  if (!type) return fail(`unknown data type ${hex(bytes[2] as number, 2)} in the magic number (known: ${KNOWN_TYPES})`);
  const rank = bytes[3] as number;
  if (rank === 0) return fail('the magic number declares 0 dimensions');
  const header = 4 + 4 * rank;
  if (bytes.length < header) {
    return fail(`truncated header: ${rank} dimensions need ${header} header bytes, the file has ${bytes.length}`);
  }
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  return { type, shape, header, count: shape.reduce((a, b) => a * b, 1) };
}
