/**
 * Options of `cifar10` and `cifar100`, resolved once with `checker(<owner>)`; unknown keys are
 * rejected, so a misspelt option is an error rather than silently ignored.
 */
import { checker } from '@abs/core';

export interface Cifar10Options {
  /** The folder of the extracted binary archive (`cifar-10-batches-bin`, `cifar-100-binary`). */
  readonly dir: string;
  /**
   * `'none'` (default): pixels in [0, 1]. `'standardize'`: each channel c becomes
   * (x − mean_c) / std_c with the mean and standard deviation of the loaded training images,
   * applied to both parts (the split's `channelMean` and `channelStd`).
   */
  readonly normalize?: 'none' | 'standardize';
  /** Keep only the first `trainPerClass` training images of each class (≥ 1); default: all. */
  readonly trainPerClass?: number;
  /** Keep only the first `testPerClass` test images of each class (≥ 1); default: all. */
  readonly testPerClass?: number;
}

export interface Cifar100Options extends Cifar10Options {
  /** `'fine'` (default): the 100 classes. `'coarse'`: the 20 superclasses. */
  readonly labels?: 'fine' | 'coarse';
}

export interface ResolvedCifarOptions {
  readonly dir: string;
  readonly normalize: 'none' | 'standardize';
  readonly trainPerClass: number;
  readonly testPerClass: number;
  readonly labels: 'fine' | 'coarse';
}

const KNOWN_10 = ['dir', 'normalize', 'trainPerClass', 'testPerClass'];
const KNOWN_100 = [...KNOWN_10, 'labels'];

/**
 * @param owner - `'cifar10'` or `'cifar100'`; only `cifar100` takes `labels`
 * @param options - what the user passed
 */
export function resolveCifarOptions(owner: 'cifar10' | 'cifar100', options: Cifar100Options): ResolvedCifarOptions {
  const check = checker(owner);
  check.check(typeof options === 'object' && options !== null, 'options', options, 'an object with a dir');
  const known = owner === 'cifar100' ? KNOWN_100 : KNOWN_10;
  for (const key of Object.keys(options)) {
    check.check(known.includes(key), 'options', key, `made of ${known.join(', ')}`);
  }
  check.check(typeof options.dir === 'string' && options.dir !== '', 'dir', options.dir, 'a folder path');
  const perClass = (name: 'trainPerClass' | 'testPerClass'): number =>
    options[name] === undefined ? Number.POSITIVE_INFINITY : check.integer(name, options[name], { gte: 1 });
  return {
    dir: options.dir,
    normalize: check.oneOf('normalize', options.normalize ?? 'none', ['none', 'standardize']),
    trainPerClass: perClass('trainPerClass'),
    testPerClass: perClass('testPerClass'),
    labels: check.oneOf('labels', options.labels ?? 'fine', ['fine', 'coarse']),
  };
}
