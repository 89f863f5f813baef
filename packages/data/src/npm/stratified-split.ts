/**
 * The seeded, stratified train/test split of `mnist` and `fashionMnist`. For class c with
 * n_c images, a permutation drawn from `deriveSeed(seed, 'split', c)` sends its first
 * t_c = clamp(round(testFraction·n_c), 1, n_c − 1) images to `test` and the rest to `train`,
 * so every class is in both parts. Each part is then shuffled (streams `'train-order'`,
 * `'test-order'`) so that neither is sorted by class.
 */
import { createRng, type Dataset, deriveSeed, validateDataset } from '@abs/core';
import { DataFormatError } from '../errors/data-format-error';
import type { ClassImages } from './read-class-file';

/** A train/test pair and the names of its classes. */
export interface DatasetSplit {
  readonly train: Dataset;
  readonly test: Dataset;
  /** `classNames[label]`, e.g. `'Ankle boot'` for Fashion-MNIST label 9. */
  readonly classNames: readonly string[];
}

export interface StratifiedSplitOptions {
  readonly name: string;
  readonly classNames: readonly string[];
  /** Path of each class's file, for error messages. */
  readonly files: readonly string[];
  /** Values per image. */
  readonly width: number;
  /** Shape of one example, of `width` values, e.g. [784] or [28, 28, 1]. */
  readonly featureShape: readonly number[];
  readonly testFraction: number;
  readonly seed: number;
  /** Images used per class (the first ones). */
  readonly limitPerClass: number;
  /** Affine map applied to every pixel x = value / maxValue ∈ [0, 1]: x ↦ (x − shift) / divisor. */
  readonly shift: number;
  readonly divisor: number;
}

/** An example is encoded as one integer, row·numClasses + label, so that it can be shuffled. */
type Example = number;

export function stratifiedSplit(classes: readonly ClassImages[], options: StratifiedSplitOptions): DatasetSplit {
  const train: Example[] = [];
  const test: Example[] = [];
  const numClasses = classes.length;
  classes.forEach((images, label) => {
    const count = Math.min(images.count, options.limitPerClass);
    if (count < 2) {
      throw new DataFormatError({
        file: options.files[label] ?? `class ${label}`,
        format: 'dataset JSON',
        problem: `it holds ${count} image(s); a train/test split needs at least 2 per class`,
      });
    }
    const testCount = Math.min(count - 1, Math.max(1, Math.round(options.testFraction * count)));
    const order = Int32Array.from({ length: count }, (_, i) => i);
    createRng(deriveSeed(options.seed, 'split', label)).shuffle(order);
    order.forEach((row, i) => (i < testCount ? test : train).push(row * numClasses + label));
  });
  createRng(deriveSeed(options.seed, 'split', 'train-order')).shuffle(train);
  createRng(deriveSeed(options.seed, 'split', 'test-order')).shuffle(test);
  return {
    train: assemble(`${options.name}/train`, train, classes, options),
    test: assemble(`${options.name}/test`, test, classes, options),
    classNames: options.classNames,
  };
}

function assemble(
  name: string,
  examples: readonly Example[],
  classes: readonly ClassImages[],
  { width, featureShape, shift, divisor, classNames }: StratifiedSplitOptions,
): Dataset {
  const features = new Float32Array(examples.length * width);
  const labels = new Int32Array(examples.length);
  const numClasses = classes.length;
  examples.forEach((example, i) => {
    const label = example % numClasses;
    const row = (example - label) / numClasses;
    const { values, maxValue } = classes[label] as ClassImages;
    labels[i] = label;
    const from = values.subarray(row * width, (row + 1) * width);
    if (shift === 0 && divisor === 1 && maxValue === 1) {
      features.set(from, i * width);
      return;
    }
    for (let k = 0; k < width; k++) features[i * width + k] = ((from[k] as number) / maxValue - shift) / divisor;
  });
  return validateDataset({
    name,
    size: examples.length,
    featureShape: [...featureShape],
    features,
    labels,
    numClasses: classNames.length,
  });
}
