import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Dataset, InvalidHyperParameterError } from '@abs/core';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFormatError } from '../errors/data-format-error';
import { cifarPixel, cifarRecord, writeCifarFiles } from './__fixtures__/cifar-records';
import { cifar10, cifar100 } from './cifar';

const root = mkdtempSync(join(tmpdir(), 'abs-data-cifar-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// CIFAR-10: five training batches of three images (ids 0–14) and a test batch (ids 100, 101).
const batchLabels = [
  [3, 0, 3],
  [1, 2, 0],
  [9, 8, 7],
  [6, 5, 4],
  [3, 3, 1],
];
const trainLabels = batchLabels.flat();
const batches = (lastBatch: Uint8Array[]): Record<string, Uint8Array[]> => ({
  ...Object.fromEntries(
    batchLabels
      .slice(0, 4)
      .map((labels, b) => [`data_batch_${b + 1}.bin`, labels.map((label, i) => cifarRecord([label], 3 * b + i))]),
  ),
  'data_batch_5.bin': lastBatch,
  'test_batch.bin': [cifarRecord([0], 100), cifarRecord([9], 101)],
});
const lastBatch = batchLabels[4]?.map((label, i) => cifarRecord([label], 12 + i)) ?? [];
const cifar10Dir = writeCifarFiles(join(root, 'cifar-10-batches-bin'), batches(lastBatch));

/** Number of features that differ from `expected(id, c, p)` (NHWC: feature (p·3 + c) of image i). */
function mismatches(data: Dataset, ids: readonly number[], expected: (id: number, c: number, p: number) => number) {
  let count = 0;
  ids.forEach((id, i) => {
    for (let p = 0; p < 1024; p++) {
      for (let c = 0; c < 3; c++) {
        if (data.features[i * 3072 + p * 3 + c] !== Math.fround(expected(id, c, p))) count += 1;
      }
    }
  });
  return count;
}
const unit = (id: number, c: number, p: number): number => cifarPixel(id, c, p) / 255;

describe('cifar10', () => {
  it('reads every record in file order into [32, 32, 3] NHWC images, bytes b → b/255', async () => {
    const { train, test, classNames } = await cifar10({ dir: cifar10Dir });
    expect([train.name, train.size, train.featureShape, train.numClasses]).toEqual([
      'cifar-10/train',
      15,
      [32, 32, 3],
      10,
    ]);
    expect([test.name, test.size, Array.from(test.labels ?? [])]).toEqual(['cifar-10/test', 2, [0, 9]]);
    expect(Array.from(train.labels ?? [])).toEqual(trainLabels);
    expect([classNames[0], classNames[9], classNames.length]).toEqual(['airplane', 'truck', 10]);
    const ids = trainLabels.map((_, id) => id);
    expect(mismatches(train, ids, unit)).toBe(0);
    expect(mismatches(test, [100, 101], unit)).toBe(0);
    // Pixel (y 1, x 2) of image 4: position 34; its G value is (4·31 + 85 + 34) mod 256 = 243.
    expect(train.features[4 * 3072 + 34 * 3 + 1]).toBe(Math.fround(243 / 255));
    // Reading planes as if they were NHWC would put R(p 1) where G(p 0) is: the check above fails.
    expect(
      mismatches(
        train,
        ids.map((id) => id + 1),
        unit,
      ),
    ).toBeGreaterThan(0);
  });

  it('keeps the first trainPerClass / testPerClass images of each class, in file order', async () => {
    const { train, test } = await cifar10({ dir: cifar10Dir, trainPerClass: 2, testPerClass: 1 });
    // Class 3 is at ids 0, 2, 12, 13 and class 0 at 1, 5: the first two of each stay.
    const kept = trainLabels.map((_, id) => id).filter((id) => id !== 12 && id !== 13);
    expect(Array.from(train.labels ?? [])).toEqual(kept.map((id) => trainLabels[id]));
    expect(mismatches(train, kept, unit)).toBe(0);
    expect(test.size).toBe(2);
  });

  it('stops reading once every class is full', async () => {
    // A broken data_batch_5.bin (label 10 in its first record) fails a full load ...
    const dir = writeCifarFiles(join(root, 'broken-last-batch'), batches([cifarRecord([10], 12)]));
    const error = await cifar10({ dir }).catch((e: unknown) => e);
    expect(DataFormatError.isInstance(error)).toBe(true);
    expect((error as DataFormatError).file).toBe(join(dir, 'data_batch_5.bin'));
    // ... but batches 1–4 hold all ten classes, so one image per class never reads it.
    const { train } = await cifar10({ dir, trainPerClass: 1 });
    expect(Array.from(train.labels ?? [])).toEqual([3, 0, 1, 2, 9, 8, 7, 6, 5, 4]);
    expect(mismatches(train, [0, 1, 3, 4, 6, 7, 8, 9, 10, 11], unit)).toBe(0);
  });

  it('standardizes each channel with the training mean and std, on both parts', async () => {
    const plain = await cifar10({ dir: cifar10Dir });
    const standard = await cifar10({ dir: cifar10Dir, normalize: 'standardize' });
    // μ_c and σ_c over the 15 training images, computed here directly from the pixel bytes.
    const mean = [0, 1, 2].map((c) => {
      let sum = 0;
      for (let id = 0; id < 15; id++) for (let p = 0; p < 1024; p++) sum += cifarPixel(id, c, p) / 255;
      return sum / (15 * 1024);
    });
    const std = [0, 1, 2].map((c) => {
      let squares = 0;
      for (let id = 0; id < 15; id++)
        for (let p = 0; p < 1024; p++) squares += (cifarPixel(id, c, p) / 255 - (mean[c] as number)) ** 2;
      return Math.sqrt(squares / (15 * 1024));
    });
    for (const split of [plain, standard]) {
      split.channelMean.forEach((m, c) => expect(m).toBeCloseTo(mean[c] as number, 12));
      split.channelStd.forEach((s, c) => expect(s).toBeCloseTo(std[c] as number, 12));
    }
    const standardized = (id: number, c: number, p: number) =>
      (cifarPixel(id, c, p) / 255 - (standard.channelMean[c] as number)) / (standard.channelStd[c] as number);
    expect(
      mismatches(
        standard.train,
        trainLabels.map((_, id) => id),
        standardized,
      ),
    ).toBe(0);
    expect(mismatches(standard.test, [100, 101], standardized)).toBe(0);
    // Standardized training pixels have mean 0 and std 1 per channel (to float32 rounding).
    for (let c = 0; c < 3; c++) {
      const values = standard.train.features.filter((_, k) => k % 3 === c);
      const m = values.reduce((a, x) => a + x, 0) / values.length;
      expect(m).toBeCloseTo(0, 5);
      expect(Math.sqrt(values.reduce((a, x) => a + (x - m) ** 2, 0) / values.length)).toBeCloseTo(1, 5);
    }
  });

  it('refuses to standardize a constant channel', async () => {
    const flat = new Uint8Array(3073); // label 0, every pixel 0
    const dir = writeCifarFiles(join(root, 'constant'), {
      ...Object.fromEntries([1, 2, 3, 4, 5].map((i) => [`data_batch_${i}.bin`, flat])),
      'test_batch.bin': flat,
    });
    const error = await cifar10({ dir, normalize: 'standardize' }).catch((e: unknown) => e);
    expect(InvalidHyperParameterError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      'cifar10: normalize must be \'none\' when a channel of the training images is constant (R is 0 in every pixel), got "standardize"',
    );
    expect((await cifar10({ dir })).train.features.every((x) => x === 0)).toBe(true);
  });

  it.each([
    [{}, 'cifar10: dir must be a folder path, got undefined'],
    [{ dir: 3 }, 'cifar10: dir must be a folder path, got 3'],
    [{ dir: 'd', trainPerClass: 0 }, 'cifar10: trainPerClass must be an integer ≥ 1, got 0'],
    [{ dir: 'd', testPerClass: 1.5 }, 'cifar10: testPerClass must be an integer ≥ 1, got 1.5'],
    [{ dir: 'd', normalize: 'minmax' }, "cifar10: normalize must be one of 'none' | 'standardize', got \"minmax\""],
    [
      { dir: 'd', labels: 'fine' },
      'cifar10: options must be made of dir, normalize, trainPerClass, testPerClass, got "labels"',
    ],
  ])('rejects %j', async (options, message) => {
    const error = await cifar10(options as never).catch((e: unknown) => e);
    expect(InvalidHyperParameterError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(message);
  });
});

describe('cifar100', () => {
  // (coarse, fine) label pairs of CIFAR-100's hierarchy: aquatic_mammals/dolphin,
  // fish/aquarium_fish, non-insect_invertebrates/worm, aquatic_mammals/otter.
  const records = [
    [0, 30],
    [1, 1],
    [13, 99],
    [0, 55],
  ];
  const dir = writeCifarFiles(join(root, 'cifar-100-binary'), {
    'train.bin': records.map((labels, id) => cifarRecord(labels, id)),
    'test.bin': [cifarRecord([0, 4], 100)],
  });

  it('carries the fine labels by default, the coarse ones with labels: coarse', async () => {
    const fine = await cifar100({ dir });
    expect([fine.train.name, fine.train.numClasses, fine.classNames.length]).toEqual(['cifar-100/train', 100, 100]);
    expect(Array.from(fine.train.labels ?? [])).toEqual([30, 1, 99, 55]);
    expect([fine.classNames[30], fine.classNames[55], fine.classNames[99]]).toEqual(['dolphin', 'otter', 'worm']);
    expect(Array.from(fine.test.labels ?? [])).toEqual([4]);
    const coarse = await cifar100({ dir, labels: 'coarse' });
    expect([coarse.train.numClasses, coarse.classNames.length]).toEqual([20, 20]);
    expect([coarse.classNames[0], coarse.classNames[13], coarse.classNames[19]]).toEqual([
      'aquatic_mammals',
      'non-insect_invertebrates',
      'vehicles_2',
    ]);
    expect(Array.from(coarse.train.labels ?? [])).toEqual([0, 1, 13, 0]);
    // Two label bytes before the pixels: the images are the same either way.
    expect(mismatches(fine.train, [0, 1, 2, 3], unit)).toBe(0);
    expect(mismatches(coarse.test, [100], unit)).toBe(0);
    expect(coarse.train.featureShape).toEqual([32, 32, 3]);
  });

  it('counts trainPerClass in the chosen labels', async () => {
    // Coarse class 0 holds ids 0 and 3; their fine classes, 30 and 55, differ.
    expect((await cifar100({ dir, labels: 'coarse', trainPerClass: 1 })).train.size).toBe(3);
    expect((await cifar100({ dir, trainPerClass: 1 })).train.size).toBe(4);
  });

  it('rejects labels other than fine or coarse', async () => {
    const error = await cifar100({ dir, labels: 'both' as never }).catch((e: unknown) => e);
    expect(InvalidHyperParameterError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe("cifar100: labels must be one of 'fine' | 'coarse', got \"both\"");
  });
});
