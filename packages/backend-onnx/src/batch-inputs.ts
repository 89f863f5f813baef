/**
 * Host-side batch assembly: the batch's feature rows gathered into one Float32Array (a
 * row copy per example with `TypedArray.set`), and the loss targets as a dense
 * batch × outputs matrix (one-hot labels, or the regression targets for `mse`).
 */
import type { Dataset, Loss } from '@abs/core';

/** Rows `indices` of a row-major `size × width` matrix. */
export function gatherRows(values: Float32Array, indices: Int32Array, width: number): Float32Array {
  const out = new Float32Array(indices.length * width);
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i] as number;
    out.set(values.subarray(k * width, (k + 1) * width), i * width);
  }
  return out;
}

/**
 * Targets of the batch: one-hot labels for softmax cross-entropy, the dataset's targets
 * for `mse` (one-hot labels when it has none, as in the reference backend).
 */
export function gatherTargets(dataset: Dataset, loss: Loss, indices: Int32Array, outputs: number): Float32Array {
  if (loss === 'mse' && dataset.targets) return gatherRows(dataset.targets, indices, outputs);
  const out = new Float32Array(indices.length * outputs);
  const labels = dataset.labels as Int32Array;
  for (let i = 0; i < indices.length; i++) {
    const y = labels[indices[i] as number] as number;
    if (y >= 0 && y < outputs) out[i * outputs + y] = 1;
  }
  return out;
}
