/**
 * The index split and the validation draws of README “Data split”, “One iteration”: the
 * first ⌊f·N⌋ examples of the model's dataset train the inner model, the rest are
 * "validation" for the agent (the test set is never touched). Observation batches are
 * drawn without replacement within the batch, meta-batches with replacement; both are
 * seeded per draw, so no generator state needs to be kept.
 */
import { checker, createRng } from '@abs/core';

export interface DataSplit {
  /** Training indices are [0, trainSize). */
  readonly trainSize: number;
  /** Validation indices are [trainSize, trainSize + validationSize). */
  readonly validationSize: number;
}

/**
 * @throws InvalidHyperParameterError('trainFraction') when either part would be empty
 * @example
 * splitDataset(50000, 0.8); // { trainSize: 40000, validationSize: 10000 }
 */
export function splitDataset(size: number, trainFraction: number): DataSplit {
  const trainSize = Math.floor(trainFraction * size);
  checker('arbiter').check(
    trainSize >= 1 && trainSize < size,
    'trainFraction',
    trainFraction,
    `in (0, 1) leaving both parts non-empty for a dataset of ${size} examples`,
  );
  return { trainSize, validationSize: size - trainSize };
}

/**
 * `count` distinct indices from [offset, offset + size), uniformly (Floyd's algorithm:
 * O(count) time and memory, whatever `size` is).
 * @example
 * sampleWithoutReplacement({ size: 10, count: 3, offset: 40, seed: 1 }); // 3 distinct values in [40, 50)
 */
export function sampleWithoutReplacement(draw: {
  readonly size: number;
  readonly count: number;
  readonly offset: number;
  readonly seed: number;
}): Int32Array {
  const rng = createRng(draw.seed);
  const chosen = new Set<number>();
  const out = new Int32Array(draw.count);
  let filled = 0;
  for (let j = draw.size - draw.count; j < draw.size; j++) {
    const t = rng.nextInt(j + 1);
    const pick = chosen.has(t) ? j : t;
    chosen.add(pick);
    out[filled++] = draw.offset + pick;
  }
  return out;
}

/**
 * `count` indices from [offset, offset + size), uniformly and with replacement.
 * @example
 * sampleWithReplacement({ size: 2, count: 5, offset: 8, seed: 3 }); // five values in {8, 9}
 */
export function sampleWithReplacement(draw: {
  readonly size: number;
  readonly count: number;
  readonly offset: number;
  readonly seed: number;
}): Int32Array {
  const rng = createRng(draw.seed);
  return Int32Array.from({ length: draw.count }, () => draw.offset + rng.nextInt(draw.size));
}

/**
 * T, the agent updates between two epoch-end decisions: schedInterval × ⌈N_train/B_e⌉
 * (the last, smaller batch of an epoch is kept; a B_e above N_train gives one full batch).
 * @example
 * updatesPerDecision(40000, 128, 1); // 313 (A7)
 */
export const updatesPerDecision = (trainSize: number, batchSize: number, schedInterval: number): number =>
  schedInterval * Math.ceil(trainSize / Math.min(batchSize, trainSize));
