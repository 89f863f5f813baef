/**
 * A `Dataset` from a pair of IDX files, e.g. MNIST's `train-images-idx3-ubyte` and
 * `train-labels-idx1-ubyte`: images [n, ...featureShape] of any type, labels [n] of an
 * integer type. ubyte images are scaled by 1/255 to [0, 1], like `mnist()`.
 */

import { basename } from 'node:path';
import { checker, type Dataset, validateDataset } from '@abs/core';
import { DataFormatError } from '../errors/data-format-error';
import { readIdx } from './read-idx';

export interface IdxDatasetOptions {
  /** Path of the images (or any features) IDX file; `.gz` is fine. */
  readonly images: string;
  /** Path of the labels IDX file: one dimension, an integer type, one label per image. */
  readonly labels: string;
  /** Dataset name; default: the images file's name. */
  readonly name?: string;
  /** Number of classes; default: largest label + 1. */
  readonly numClasses?: number;
  /** Factor applied to every value; default 1/255 for ubyte images, else 1. */
  readonly scale?: number;
}

/**
 * @param options - `images`, `labels` paths; `name`, `numClasses`, `scale`
 * @example
 * const train = await idxDataset({ images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' });
 * [train.size, train.featureShape, train.numClasses]; // [60000, [28, 28], 10]
 */
export async function idxDataset(options: IdxDatasetOptions): Promise<Dataset> {
  const check = checker('idxDataset');
  check.check(typeof options.images === 'string', 'images', options.images, 'a file path');
  check.check(typeof options.labels === 'string', 'labels', options.labels, 'a file path');
  const scale = options.scale === undefined ? undefined : check.number('scale', options.scale);
  if (options.numClasses !== undefined) check.integer('numClasses', options.numClasses, { gte: 1 });
  const [images, labels] = await Promise.all([readIdx(options.images), readIdx(options.labels)]);
  const fail = (file: string, problem: string): never => {
    throw new DataFormatError({ file, format: 'IDX labels', problem });
  };
  if (labels.shape.length !== 1) {
    fail(options.labels, `labels must have 1 dimension, got shape [${labels.shape.join(', ')}]`);
  }
  if (labels.dtype === 'float' || labels.dtype === 'double') {
    fail(options.labels, `labels must have an integer type (ubyte, byte, short or int), got ${labels.dtype}`);
  }
  const size = images.shape[0] as number;
  if (labels.data.length !== size) {
    fail(options.labels, `it has ${labels.data.length} labels but '${options.images}' has ${size} images`);
  }
  const labelValues = Int32Array.from(labels.data);
  let largest = -1;
  labelValues.forEach((label, i) => {
    if (label < 0) fail(options.labels, `label ${i} is ${label}; labels must be ≥ 0`);
    largest = Math.max(largest, label);
  });
  const toFeature =
    scale !== undefined
      ? (value: number) => value * scale
      : images.dtype === 'ubyte'
        ? (value: number) => value / 255
        : (value: number) => value;
  const features = new Float32Array(images.data.length);
  for (let i = 0; i < features.length; i++) features[i] = toFeature(images.data[i] as number);
  const featureShape = images.shape.length > 1 ? images.shape.slice(1) : [1];
  return validateDataset({
    name: options.name ?? basename(options.images),
    size,
    featureShape,
    features,
    labels: labelValues,
    numClasses: options.numClasses ?? largest + 1,
  });
}
