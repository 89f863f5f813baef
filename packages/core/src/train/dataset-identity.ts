/**
 * What a checkpoint remembers of the dataset it was trained on, so a resume onto other data
 * fails instead of training silently on the first examples: the size, the feature shape and a
 * fingerprint (32-bit FNV-1a over the bit patterns of at most 2¹⁶ evenly spaced feature values,
 * of labels and of targets, the same way). Sampling bounds the work whatever the size (about
 * 130 000 values for MNIST's 60 000 images and labels); two datasets that differ only between
 * the sampled values share it, which is what "cheap" trades away.
 */
import type { Dataset } from '../model/dataset';

export interface DatasetIdentity {
  readonly size: number;
  readonly featureShape: readonly number[];
  /** Eight hex digits. */
  readonly fingerprint: string;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SAMPLES = 1 << 16;
const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer);

/** Folds up to `SAMPLES` evenly spaced values of `values` (each as its float64 bits) into `hash`. */
function foldSample(hash: number, values: ArrayLike<number>): number {
  const stride = Math.max(1, Math.floor(values.length / SAMPLES));
  let h = Math.imul(hash ^ values.length, FNV_PRIME);
  for (let i = 0; i < values.length; i += stride) {
    scratch[0] = values[i] as number;
    h = Math.imul(h ^ (words[0] as number), FNV_PRIME);
    h = Math.imul(h ^ (words[1] as number), FNV_PRIME);
  }
  return h >>> 0;
}

/**
 * @example
 * datasetIdentity(data.train); // { size: 60000, featureShape: [28, 28, 1], fingerprint: '3f0a91c2' }
 */
export function datasetIdentity(dataset: Dataset): DatasetIdentity {
  let h = foldSample(FNV_OFFSET, dataset.features);
  if (dataset.labels) h = foldSample(h, dataset.labels);
  if (dataset.targets) h = foldSample(h, dataset.targets);
  return {
    size: dataset.size,
    featureShape: [...dataset.featureShape],
    fingerprint: h.toString(16).padStart(8, '0'),
  };
}
