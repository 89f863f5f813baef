/**
 * Options shared by `mnist` and `fashionMnist`, resolved once with `checker(<owner>)`.
 */
import { checker } from '@abs/core';

export interface ImageDatasetOptions {
  /** Share of each class held out for `test`, in (0, 1); default 0.2. */
  readonly testFraction?: number;
  /** Seed of the split; default 0. */
  readonly seed?: number;
  /**
   * `'none'` (default): pixels in [0, 1]. `'standardize'`: (x − mean) / std with the
   * dataset's usual constants (MNIST 0.1307 / 0.3081, Fashion-MNIST 0.2860 / 0.3530).
   */
  readonly normalize?: 'none' | 'standardize';
  /** Use only the first `limitPerClass` images of each class (≥ 2); default: all. */
  readonly limitPerClass?: number;
  /**
   * `'flat'` (default): `featureShape` [784], for dense nets. `'image'`: [28, 28, 1] (height,
   * width, channels: NHWC), for conv nets. The same values in the same order either way.
   */
  readonly shape?: 'flat' | 'image';
}

export interface ResolvedImageDatasetOptions {
  readonly testFraction: number;
  readonly seed: number;
  readonly normalize: 'none' | 'standardize';
  readonly limitPerClass: number;
  readonly shape: 'flat' | 'image';
}

export function resolveImageDatasetOptions(owner: string, options: ImageDatasetOptions): ResolvedImageDatasetOptions {
  const check = checker(owner);
  return {
    testFraction: check.number('testFraction', options.testFraction ?? 0.2, { gt: 0, lt: 1 }),
    seed: check.integer('seed', options.seed ?? 0, { gte: 0, lte: 0xffffffff }),
    normalize: check.oneOf('normalize', options.normalize ?? 'none', ['none', 'standardize']),
    limitPerClass:
      options.limitPerClass === undefined
        ? Number.POSITIVE_INFINITY
        : check.integer('limitPerClass', options.limitPerClass, { gte: 2 }),
    shape: check.oneOf('shape', options.shape ?? 'flat', ['flat', 'image']),
  };
}
