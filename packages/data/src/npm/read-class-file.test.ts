import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFormatError } from '../errors/data-format-error';
import { DatasetUnavailableError } from '../errors/dataset-unavailable-error';
import { clearDatasetCache, loadClassFile, type ReadClassOptions, readClassFile } from './read-class-file';
import { stratifiedSplit } from './stratified-split';

const folder = mkdtempSync(join(tmpdir(), 'abs-data-json-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

let fileCount = 0;
const write = (text: string): string => {
  const file = join(folder, `class-${fileCount++}.json`);
  writeFileSync(file, text);
  return file;
};

const flat = { width: 4, encoding: 'unit', limit: Number.POSITIVE_INFINITY } as const;
const bytes = { width: 3, encoding: 'byte', limit: Number.POSITIVE_INFINITY } as const;

async function failure(file: string, options: ReadClassOptions = flat): Promise<Error> {
  return readClassFile(file, options).then(
    () => {
      throw new Error('expected a failure');
    },
    (error: Error) => error,
  );
}

describe('readClassFile', () => {
  it("reads mnist's layout: one flat array of width·n values in [0, 1]", async () => {
    const file = write('{ "data": [0, 0.5, 1, 0.25, 1, 1, 0, 0] }');
    const images = await readClassFile(file, flat);
    expect(images).toEqual({
      values: Float32Array.of(0, 0.5, 1, 0.25, 1, 1, 0, 0),
      maxValue: 1,
      count: 2,
      complete: true,
    });
    const first = await readClassFile(file, { ...flat, limit: 1 });
    expect(first).toEqual({ values: Float32Array.of(0, 0.5, 1, 0.25), maxValue: 1, count: 1, complete: false });
  });

  it("reads fashion-mnist's layout: rows of bytes (kept as bytes), empty rows skipped", async () => {
    const file = write('{"data":[[0,255,51],[],[102, 204, 0]\n,[]]}');
    const images = await readClassFile(file, bytes);
    expect(images).toEqual({ values: Uint8Array.of(0, 255, 51, 102, 204, 0), maxValue: 255, count: 2, complete: true });
    const limited = await readClassFile(file, { ...bytes, limit: 1 });
    expect([limited.count, limited.complete, Array.from(limited.values)]).toEqual([1, false, [0, 255, 51]]);
  });

  it('reads rows across chunk boundaries (a 1.6 MB file, read in 256 KiB+ chunks)', async () => {
    const rows = Array.from({ length: 700 }, (_, r) => Array.from({ length: 784 }, (_, k) => (r * 7 + k) % 256));
    const file = write(JSON.stringify({ data: rows }));
    const images = await readClassFile(file, { width: 784, encoding: 'byte', limit: Number.POSITIVE_INFINITY });
    expect(images.count).toBe(700);
    const expected = rows.flat();
    expect(images.values.every((x, i) => x === expected[i])).toBe(true);
  });

  it.each([
    ['{ "items": [] }', flat, 'expected an object with a "data" array'],
    ['{ "data": [0, 1, 0] }', flat, '"data" must be an array of 4·n numbers, got 3'],
    ['{ "data": [0, 1, 0, 1', flat, 'cannot parse the JSON'],
    ['{ "data": [0, 1, 0, 1, 0, 2, 0, 0] }', flat, 'image 1 has the value 2, expected a number in [0, 1]'],
    ['{ "data": [0, 1, "0", 1] }', flat, 'image 0 has the value "0", expected a number in [0, 1]'],
    ['{"data":[[1,2,3],[1,2]]}', bytes, 'row 1 has 2 values, expected 3'],
    ['{"data":[[1,2,3],[4,5,256]]}', bytes, 'row 1 has the value 256, expected an integer in [0, 255]'],
    ['{"data":[[1,2,3],[4,5.5,6]]}', bytes, 'row 1 has the value 5.5, expected an integer in [0, 255]'],
    ['{"data":[[1,2,3],[4,,6]]}', bytes, 'row 1 is not an array of numbers'],
    ['{"data":[[1,2,3],[4,5,6', bytes, 'the "data" array is not closed (truncated file?)'],
  ])('rejects %s', async (text, options, problem) => {
    const file = write(text);
    const error = await failure(file, options);
    expect(DataFormatError.isInstance(error)).toBe(true);
    expect(error.message.startsWith(`'${file}' is not a valid dataset JSON file: ${problem}`)).toBe(true);
  });

  it('names a file it cannot read', async () => {
    const file = join(folder, 'missing.json');
    const error = await failure(file);
    expect(DatasetUnavailableError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(`dataset '${file}' is unavailable: cannot read the file (ENOENT`);
  });
});

describe('loadClassFile', () => {
  it('caches per path, re-reads for a larger limit, and forgets on clearDatasetCache', async () => {
    const file = write('{"data":[[1,2,3],[4,5,6],[7,8,9]]}');
    const one = await loadClassFile(file, { ...bytes, limit: 1 });
    expect(await loadClassFile(file, { ...bytes, limit: 1 })).toBe(one);
    const all = await loadClassFile(file, { ...bytes, limit: 5 });
    expect([all.count, all.complete]).toEqual([3, true]);
    expect(await loadClassFile(file, { ...bytes, limit: 2 })).toBe(all);
    clearDatasetCache();
    expect(await loadClassFile(file, bytes)).not.toBe(all);
  });

  it('does not cache a failed read', async () => {
    const file = write('{"data":[[1,2]]}');
    await expect(loadClassFile(file, bytes)).rejects.toThrow('row 0 has 2 values, expected 3');
    writeFileSync(file, '{"data":[[1,2,3]]}');
    expect((await loadClassFile(file, bytes)).count).toBe(1);
  });
});

describe('stratifiedSplit', () => {
  it('maps stored values to features: value / maxValue, then (x − shift) / divisor', () => {
    const classes = [
      { values: Uint8Array.of(0, 51, 255, 102), maxValue: 255, count: 2, complete: true },
      { values: Uint8Array.of(204, 0, 255, 255), maxValue: 255, count: 2, complete: true },
    ];
    const options = {
      name: 'two',
      classNames: ['a', 'b'],
      files: ['a.json', 'b.json'],
      width: 2,
      featureShape: [2],
      testFraction: 0.5,
      seed: 0,
      limitPerClass: Number.POSITIVE_INFINITY,
      shift: 0.2,
      divisor: 0.5,
    };
    const { train, test } = stratifiedSplit(classes, options);
    const features = [...train.features, ...test.features].sort((a, b) => a - b);
    // value/255 ∈ {0, 0.2, 1, 0.4, 0.8, 0, 1, 1}; (x − 0.2)/0.5 ∈ {−0.4, 0, 1.6, 0.4, 1.2, −0.4, 1.6, 1.6}
    const expected = [-0.4, -0.4, 0, 0.4, 1.2, 1.6, 1.6, 1.6];
    features.forEach((x, i) => expect(x).toBeCloseTo(expected[i] as number, 6));
    expect([train.size, test.size]).toEqual([2, 2]);
  });

  it('needs two images per class', () => {
    const classes = [
      { values: new Float32Array(6), maxValue: 1, count: 2, complete: true },
      { values: new Float32Array(3), maxValue: 1, count: 1, complete: true },
    ];
    const options = {
      name: 'tiny',
      classNames: ['a', 'b'],
      files: ['a.json', 'b.json'],
      width: 3,
      featureShape: [3],
      testFraction: 0.5,
      seed: 0,
      limitPerClass: Number.POSITIVE_INFINITY,
      shift: 0,
      divisor: 1,
    };
    expect(() => stratifiedSplit(classes, options)).toThrow(
      "'b.json' is not a valid dataset JSON file: it holds 1 image(s); a train/test split needs at least 2 per class",
    );
  });
});
