import { openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InvalidHyperParameterError } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASS_NAMES, fashionMnist } from './fashion-mnist';

/**
 * The first `count` rows of a class file, read independently of the loader: the file is
 * `{"data":[[...],[...],...]}`, so the first 200 KB hold the first ~80 rows.
 */
const rawCache = new Map<number, number[][]>();
function rawRows(label: number, count: number): number[][] {
  const cached = rawCache.get(label);
  if (cached && cached.length >= count) return cached.slice(0, count);
  const root = dirname(createRequire(import.meta.url).resolve('fashion-mnist/package.json'));
  const buffer = Buffer.alloc(200_000);
  const fd = openSync(join(root, 'src/clothes', `${label}.json`), 'r');
  readSync(fd, buffer, 0, buffer.length, 0);
  const text = buffer.toString('latin1');
  const rows = text.slice(text.indexOf('[[') + 1).match(/\[[^\]]*\]/g) ?? [];
  const parsed = rows.slice(0, count).map((row) => JSON.parse(row) as number[]);
  rawCache.set(label, parsed);
  return parsed;
}

/**
 * Reading 1,001 images per class parses ~2 MB of each class file (≈ 2 s on an idle machine).
 * A timeout here only detects a hang, so it is far above any load the test machine may be
 * under: the tests do not depend on its speed.
 */
const READS_PACKAGE_FILES = 300_000;

describe('fashionMnist', { timeout: READS_PACKAGE_FILES }, () => {
  it('loads the first limitPerClass images of each class, split 80/20 per class', async () => {
    const { train, test, classNames } = await fashionMnist({ limitPerClass: 20, seed: 5 });
    // round(0.2·20) = 4 test and 16 train images per class.
    expect([train.size, test.size]).toEqual([160, 40]);
    expect([train.name, test.name]).toEqual(['fashion-mnist/train', 'fashion-mnist/test']);
    expect(train.featureShape).toEqual([784]);
    expect(train.numClasses).toBe(10);
    expect(classNames).toEqual(FASHION_MNIST_CLASS_NAMES);
    expect(classNames[9]).toBe('Ankle boot');
    const counts = new Array<number>(10).fill(0);
    for (const label of test.labels ?? []) counts[label] = (counts[label] as number) + 1;
    expect(counts).toEqual(new Array(10).fill(4));
    // Bytes 0–255 become b/255 in [0, 1]: every image is one of the file's first 20 rows of its class.
    for (const part of [train, test]) {
      for (let i = 0; i < part.size; i++) {
        const label = part.labels?.[i] as number;
        const image = Array.from(part.features.subarray(i * 784, (i + 1) * 784));
        const scaled = rawRows(label, 20).map((row) => row.map((b) => Math.fround(b / 255)));
        expect(scaled.some((row) => row.every((x, k) => x === image[k]))).toBe(true);
        expect(image.every((x) => x >= 0 && x <= 1)).toBe(true);
      }
    }
  });

  it("skips the two empty rows of the package's class-0 file (row 1000 is one)", async () => {
    // 1001 non-empty rows per class: class 0 needs rows 0–1001 with row 1000 skipped.
    const { train, test } = await fashionMnist({ limitPerClass: 1001, testFraction: 0.1 });
    // round(0.1·1001) = 100 test images per class.
    expect([train.size, test.size]).toEqual([9010, 1000]);
  });

  it("standardizes with Fashion-MNIST's mean 0.2860 and std 0.3530", async () => {
    const plain = await fashionMnist({ limitPerClass: 10 });
    const standard = await fashionMnist({ limitPerClass: 10, normalize: 'standardize' });
    for (const i of [0, 300, 783, 5000]) {
      expect(standard.train.features[i]).toBeCloseTo(((plain.train.features[i] as number) - 0.286) / 0.353, 5);
    }
  });

  it("returns [28, 28, 1] images with shape: 'image', the same values as the flat features", async () => {
    const flat = await fashionMnist({ limitPerClass: 10 });
    const images = await fashionMnist({ limitPerClass: 10, shape: 'image' });
    expect([flat.train.featureShape, images.train.featureShape, images.test.featureShape]).toEqual([
      [784],
      [28, 28, 1],
      [28, 28, 1],
    ]);
    expect(Array.from(images.train.features)).toEqual(Array.from(flat.train.features));
    expect(Array.from(images.test.labels ?? [])).toEqual(Array.from(flat.test.labels ?? []));
  });

  it('validates options under its own name', async () => {
    const error = await fashionMnist({ limitPerClass: 0 }).catch((e: unknown) => e);
    expect(InvalidHyperParameterError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('fashionMnist: limitPerClass must be an integer ≥ 2, got 0');
  });
});
