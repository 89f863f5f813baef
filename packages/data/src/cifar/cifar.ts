/**
 * CIFAR-10 and CIFAR-100 (Krizhevsky, "Learning Multiple Layers of Features from Tiny Images",
 * 2009) from the official binary archives the user has extracted: 50,000 training and 10,000
 * test 32×32 colour images, as NHWC float32 datasets (`featureShape` [32, 32, 3], pixels in
 * [0, 1] or standardised per channel). Nothing is downloaded.
 */
import { type Cifar10Options, type Cifar100Options, resolveCifarOptions } from './cifar-options';
import { CIFAR10, CIFAR100 } from './cifar-sources';
import { type CifarSplit, loadCifar } from './load-cifar';

/**
 * CIFAR-10 from `cifar-10-binary.tar.gz` (https://www.cs.toronto.edu/~kriz/cifar.html),
 * extracted: `dir` is its `cifar-10-batches-bin` folder, holding `data_batch_1.bin` …
 * `data_batch_5.bin` (train, 10,000 images each) and `test_batch.bin`. 10 classes of 6,000
 * images (`CIFAR10_CLASS_NAMES`). All of it is 737 MB of float32 features; `trainPerClass` and
 * `testPerClass` keep the first images of each class and read only the files they need.
 * @param options - `dir`, `normalize`, `trainPerClass`, `testPerClass`
 * @example
 * const { train, test, classNames } = await cifar10({ dir: 'cifar-10-batches-bin', trainPerClass: 500 });
 * [train.size, train.featureShape, test.size, classNames[0]]; // [5000, [32, 32, 3], 10000, 'airplane']
 */
export async function cifar10(options: Cifar10Options): Promise<CifarSplit> {
  return loadCifar(CIFAR10, resolveCifarOptions('cifar10', options));
}

/**
 * CIFAR-100 from `cifar-100-binary.tar.gz` (https://www.cs.toronto.edu/~kriz/cifar.html),
 * extracted: `dir` is its `cifar-100-binary` folder, holding `train.bin` (50,000 images) and
 * `test.bin` (10,000). Each image has a fine label (100 classes of 600,
 * `CIFAR100_FINE_CLASS_NAMES`) and a coarse one (20 superclasses of 3,000,
 * `CIFAR100_COARSE_CLASS_NAMES`); `labels` picks which the datasets carry.
 * @param options - `dir`, `labels`, `normalize`, `trainPerClass`, `testPerClass`
 * @example
 * const { train, classNames } = await cifar100({ dir: 'cifar-100-binary', labels: 'coarse' });
 * [train.size, train.numClasses, classNames[19]]; // [50000, 20, 'vehicles_2']
 */
export async function cifar100(options: Cifar100Options): Promise<CifarSplit> {
  return loadCifar(CIFAR100, resolveCifarOptions('cifar100', options));
}
