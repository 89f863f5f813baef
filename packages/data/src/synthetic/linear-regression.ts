/**
 * Synthetic linear regression, for `mse` models:
 *   x ~ N(0, I_d),  w ~ N(0, I_d / d),  b ~ N(0, 1),  y = w·x + b + noise·ε,  ε ~ N(0, 1).
 * With w scaled by 1/√d, Var(w·x) ≈ 1 whatever the dimension, so `noise` is roughly the
 * noise-to-signal ratio. Weights, features and noise come from separate streams
 * (`deriveSeed(seed, 'linear-regression', <part>)`): changing `noise` changes only y.
 */
import { checker, createRng, type Dataset, deriveSeed, validateDataset } from '@abs/core';

export interface LinearRegressionOptions {
  /** Number of examples. */
  readonly size: number;
  /** Features per example; default 8. */
  readonly dimension?: number;
  /** Standard deviation of the target noise; default 0.1. */
  readonly noise?: number;
  /** Default 0. */
  readonly seed?: number;
}

/** A regression dataset (`targets`, `targetSize` 1) and the true parameters behind it. */
export interface LinearRegressionDataset extends Dataset {
  readonly targets: Float32Array;
  readonly targetSize: 1;
  /** The true w (length `dimension`). */
  readonly weights: Float64Array;
  /** The true b. */
  readonly bias: number;
}

/**
 * @param options - `size`, `dimension`, `noise`, `seed`
 * @example
 * const data = linearRegression({ size: 1000, dimension: 4, noise: 0.1, seed: 1 });
 * [data.size, data.featureShape, data.targetSize]; // [1000, [4], 1]
 */
export function linearRegression(options: LinearRegressionOptions): LinearRegressionDataset {
  const check = checker('linearRegression');
  const size = check.integer('size', options.size, { gte: 1 });
  const dimension = check.integer('dimension', options.dimension ?? 8, { gte: 1 });
  const noise = check.number('noise', options.noise ?? 0.1, { gte: 0 });
  const seed = check.integer('seed', options.seed ?? 0, { gte: 0, lte: 0xffffffff });
  const stream = (part: string) => createRng(deriveSeed(seed, 'linear-regression', part));

  const parameters = stream('weights');
  const weights = Float64Array.from({ length: dimension }, () => parameters.nextNormal() / Math.sqrt(dimension));
  const bias = parameters.nextNormal();
  const inputs = stream('features');
  const features = Float32Array.from({ length: size * dimension }, () => inputs.nextNormal());
  const noiseStream = stream('noise');
  const targets = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    let y = bias;
    for (let j = 0; j < dimension; j++) y += (weights[j] as number) * (features[i * dimension + j] as number);
    targets[i] = y + noise * noiseStream.nextNormal();
  }
  const dataset = {
    name: 'linear-regression',
    size,
    featureShape: [dimension],
    features,
    targets,
    targetSize: 1 as const,
  };
  validateDataset(dataset);
  return { ...dataset, weights, bias };
}
