/**
 * Test data: Gaussian blobs, `classes` centres drawn N(0, 4·I) in `width` dimensions and
 * examples centre + N(0, I), all from the core seeded rng (no @abs/data dependency).
 */
import { createRng, type Dataset } from '@abs/core';

export function blobs(options: { size: number; width: number; classes: number; seed: number }): Dataset {
  const { size, width, classes } = options;
  const rng = createRng(options.seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: width }, () => 2 * rng.nextNormal()));
  const features = new Float32Array(size * width);
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const k = rng.nextInt(classes);
    labels[i] = k;
    for (let j = 0; j < width; j++) features[i * width + j] = (centres[k]?.[j] as number) + rng.nextNormal();
  }
  return { name: 'blobs', size, featureShape: [width], features, labels, numClasses: classes };
}
