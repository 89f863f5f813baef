import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, InvalidHyperParameterError } from '@abs/core';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFormatError } from '../errors/data-format-error';
import { encodeIdx, type IdxInput } from './encode-idx';
import { idxDataset } from './idx-dataset';

const folder = mkdtempSync(join(tmpdir(), 'abs-data-idx-dataset-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const write = (name: string, array: IdxInput): string => {
  const file = join(folder, name);
  writeFileSync(file, encodeIdx(array));
  return file;
};

// Three 2×2 "images" in MNIST's layout: [3, 2, 2] ubyte, labels [3] ubyte.
const images = write('images-idx3-ubyte', {
  dtype: 'ubyte',
  shape: [3, 2, 2],
  data: [0, 51, 102, 255, 1, 2, 3, 4, 5, 6, 7, 8],
});
const labels = write('labels-idx1-ubyte', { dtype: 'ubyte', shape: [3], data: [2, 0, 1] });

describe('idxDataset', () => {
  it('builds a dataset from images and labels; ubyte pixels scaled by 1/255', async () => {
    const data = await idxDataset({ images, labels });
    expect(data.name).toBe('images-idx3-ubyte');
    expect([data.size, data.featureShape, data.numClasses]).toEqual([3, [2, 2], 3]);
    expect(Array.from(data.labels ?? [])).toEqual([2, 0, 1]);
    // 51/255 = 0.2, 102/255 = 0.4
    expect(Array.from(data.features.subarray(0, 4))).toEqual([0, 0.2, 0.4, 1].map(Math.fround));
  });

  it('keeps other types as they are unless a scale is given; 1-D features become [1]', async () => {
    const floats = write('floats', { dtype: 'float', shape: [3], data: [0.5, -2, 8] });
    const data = await idxDataset({ images: floats, labels, name: 'floats', numClasses: 5 });
    expect([data.name, data.featureShape, data.numClasses]).toEqual(['floats', [1], 5]);
    expect(Array.from(data.features)).toEqual([0.5, -2, 8]);
    const scaled = await idxDataset({ images, labels, scale: 2 });
    expect(Array.from(scaled.features.subarray(0, 4))).toEqual([0, 102, 204, 510]);
  });

  const fails = async (options: Parameters<typeof idxDataset>[0]): Promise<Error> =>
    idxDataset(options).then(
      () => {
        throw new Error('expected a failure');
      },
      (error: Error) => error,
    );

  it.each([
    [
      'a label count that differs from the image count',
      { dtype: 'ubyte', shape: [2], data: [0, 1] },
      `it has 2 labels but '${images}' has 3 images`,
    ],
    [
      'labels with two dimensions',
      { dtype: 'ubyte', shape: [3, 1], data: [0, 1, 2] },
      'labels must have 1 dimension, got shape [3, 1]',
    ],
    [
      'float labels',
      { dtype: 'float', shape: [3], data: [0, 1, 2] },
      'labels must have an integer type (ubyte, byte, short or int), got float',
    ],
    ['a negative label', { dtype: 'byte', shape: [3], data: [0, -1, 2] }, 'label 1 is -1; labels must be ≥ 0'],
  ] as const)('rejects %s, naming the labels file', async (_, array, problem) => {
    const file = write('bad-labels', array as IdxInput);
    const error = await fails({ images, labels: file });
    expect(DataFormatError.isInstance(error)).toBe(true);
    expect(error.message).toBe(`'${file}' is not a valid IDX labels file: ${problem}`);
  });

  it('passes on the IDX errors of either file', async () => {
    const broken = join(folder, 'broken');
    writeFileSync(broken, Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 5, 1));
    const error = await fails({ images: broken, labels });
    expect(error.message).toBe(
      `'${broken}' is not a valid IDX file: truncated data: shape [5] of ubyte needs 5 data bytes, the file has 1`,
    );
  });

  it('checks labels against numClasses with core validateDataset', async () => {
    const error = await fails({ images, labels, numClasses: 2 });
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(error.message).toBe("dataset 'images-idx3-ubyte': label 2 of example 0 is outside [0, 2)");
  });

  it.each([
    [{ images: 3, labels }, 'idxDataset: images must be a file path, got 3'],
    [{ images, labels: undefined }, 'idxDataset: labels must be a file path, got undefined'],
    [{ images, labels, scale: Number.NaN }, 'idxDataset: scale must be a finite number, got NaN'],
    [{ images, labels, numClasses: 0 }, 'idxDataset: numClasses must be an integer ≥ 1, got 0'],
  ])('rejects options %j', async (options, message) => {
    const error = await fails(options as never);
    expect(InvalidHyperParameterError.isInstance(error)).toBe(true);
    expect(error.message).toBe(message);
  });
});
