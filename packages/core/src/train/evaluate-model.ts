/**
 * Test-set evaluation from raw outputs: mean loss (same definition as training) and, for
 * classification, accuracy (argmax of the outputs against the label). Runs in chunks so
 * large test sets never need one giant batch.
 */
import { type Dataset, featureSize } from '../model/dataset';
import { describeSpec } from '../model/describe-spec';
import type { Model } from '../model/model';

export interface EvaluationResult {
  readonly loss: number;
  /** Fraction of correct predictions; undefined for a dataset without labels. */
  readonly accuracy: number | undefined;
  readonly count: number;
}

/** Loss of one example's outputs `z` (length k) under the model's loss. */
function exampleLoss(model: Model<unknown>, z: Float32Array, dataset: Dataset, i: number): number {
  const k = z.length;
  if (model.spec.loss === 'softmax-cross-entropy') {
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < k; j++) max = Math.max(max, z[j] as number);
    let s = 0;
    for (let j = 0; j < k; j++) s += Math.exp((z[j] as number) - max);
    return max + Math.log(s) - (z[dataset.labels?.[i] as number] as number);
  }
  let s = 0;
  for (let j = 0; j < k; j++) {
    const target = dataset.targets ? (dataset.targets[i * k + j] as number) : dataset.labels?.[i] === j ? 1 : 0;
    const d = (z[j] as number) - target;
    s += d * d;
  }
  return 0.5 * s;
}

/**
 * @example
 * const { loss, accuracy } = await evaluateModel(model, data.test);
 */
export async function evaluateModel<T>(
  model: Model<T>,
  dataset: Dataset,
  options: { batchSize?: number } = {},
): Promise<EvaluationResult> {
  const chunk = options.batchSize ?? 1000;
  const width = featureSize(dataset);
  const outputs = describeSpec(model.spec).outputShape[0] as number;
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < dataset.size; start += chunk) {
    const count = Math.min(chunk, dataset.size - start);
    const logits = await model.predict(dataset.features.subarray(start * width, (start + count) * width), count);
    for (let r = 0; r < count; r++) {
      const z = logits.subarray(r * outputs, (r + 1) * outputs);
      lossSum += exampleLoss(model as Model<unknown>, z, dataset, start + r);
      if (dataset.labels) {
        let best = 0;
        for (let j = 1; j < outputs; j++) if ((z[j] as number) > (z[best] as number)) best = j;
        if (best === dataset.labels[start + r]) correct++;
      }
    }
  }
  return {
    loss: lossSum / dataset.size,
    accuracy: dataset.labels ? correct / dataset.size : undefined,
    count: dataset.size,
  };
}
