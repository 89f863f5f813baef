/**
 * Compile-time agreement between an `mlp` spec and its dataset, with the reference
 * backend's errors: the feature width is the input width, softmax cross-entropy needs labels
 * with as many classes as outputs, and mse targets (when present) are as wide as the outputs.
 */
import { type Dataset, featureSize, type ModelSpec, ShapeMismatchError } from '@abs/core';

/** Checks dataset and spec agree, with the reference backend's errors. */
export function checkCompatible(spec: ModelSpec, dataset: Dataset): void {
  const sizes = spec.layerSizes;
  const outputs = sizes.at(-1) as number;
  const width = featureSize(dataset);
  if (width !== sizes[0]) {
    throw new ShapeMismatchError({
      what: `features of dataset '${dataset.name}' vs mlp input`,
      expected: [sizes[0] as number],
      actual: [width],
    });
  }
  if (spec.loss === 'softmax-cross-entropy' && (!dataset.labels || dataset.numClasses !== outputs)) {
    throw new ShapeMismatchError({
      what: `classes of dataset '${dataset.name}' vs mlp output`,
      expected: [outputs],
      actual: [dataset.numClasses ?? 0],
    });
  }
  if (spec.loss === 'mse' && dataset.targets && dataset.targetSize !== outputs) {
    throw new ShapeMismatchError({
      what: `targets of dataset '${dataset.name}' vs mlp output`,
      expected: [outputs],
      actual: [dataset.targetSize ?? 0],
    });
  }
}
