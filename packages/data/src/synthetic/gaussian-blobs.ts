/**
 * Synthetic classification: isotropic Gaussian blobs.
 *   centre_k ~ N(0, I_d) for k < classes;  x = centre_label + spread·ε,  ε ~ N(0, I_d).
 * Labels are balanced (class sizes differ by at most one) and shuffled. Centres, labels and
 * noise come from separate streams (`deriveSeed(seed, 'gaussian-blobs', <part>)`), so
 * `spread` changes only the scatter around the same centres.
 */
import { checker, createRng, type Dataset, deriveSeed, validateDataset } from '@abs/core';

export interface GaussianBlobsOptions {
  /** Number of examples (≥ classes). */
  readonly size: number;
  /** Number of classes (≥ 2); default 3. */
  readonly classes?: number;
  /** Features per example; default 2. */
  readonly dimension?: number;
  /** Standard deviation around each centre; default 0.5. */
  readonly spread?: number;
  /** Default 0. */
  readonly seed?: number;
}

/** A labelled dataset and the centres it was drawn around. */
export interface GaussianBlobsDataset extends Dataset {
  readonly labels: Int32Array;
  readonly numClasses: number;
  /** `classes × dimension` centre coordinates, row-major. */
  readonly centers: Float64Array;
}

/**
 * @param options - `size`, `classes`, `dimension`, `spread`, `seed`
 * @example
 * const data = gaussianBlobs({ size: 300, classes: 3, dimension: 2, spread: 0.5, seed: 1 });
 * [data.size, data.numClasses, data.featureShape]; // [300, 3, [2]] — 100 examples per class
 */
export function gaussianBlobs(options: GaussianBlobsOptions): GaussianBlobsDataset {
  const check = checker('gaussianBlobs');
  const classes = check.integer('classes', options.classes ?? 3, { gte: 2 });
  const size = check.integer('size', options.size, { gte: classes, names: { gte: 'classes' } });
  const dimension = check.integer('dimension', options.dimension ?? 2, { gte: 1 });
  const spread = check.number('spread', options.spread ?? 0.5, { gte: 0 });
  const seed = check.integer('seed', options.seed ?? 0, { gte: 0, lte: 0xffffffff });
  const stream = (part: string) => createRng(deriveSeed(seed, 'gaussian-blobs', part));

  const centerStream = stream('centers');
  const centers = Float64Array.from({ length: classes * dimension }, () => centerStream.nextNormal());
  const labels = stream('labels').shuffle(Int32Array.from({ length: size }, (_, i) => i % classes));
  const noise = stream('noise');
  const features = new Float32Array(size * dimension);
  for (let i = 0; i < size; i++) {
    const label = labels[i] as number;
    for (let j = 0; j < dimension; j++) {
      features[i * dimension + j] = (centers[label * dimension + j] as number) + spread * noise.nextNormal();
    }
  }
  const dataset = { name: 'gaussian-blobs', size, featureShape: [dimension], features, labels, numClasses: classes };
  validateDataset(dataset);
  return { ...dataset, centers };
}
