/**
 * Per-example losses and their gradients with respect to the outputs z (n×k), for each
 * example's own loss (no 1/n):
 * - softmax cross-entropy: ℓ = logsumexp(z) − z_y, ∂ℓ/∂z = softmax(z) − onehot(y);
 * - mse: ℓ = ½‖z − t‖², ∂ℓ/∂z = z − t (t = one-hot labels when the dataset has no targets).
 */
import type { Dataset, Loss } from '@abs/core';

export function lossAndOutputGradient(
  loss: Loss,
  z: Float64Array,
  k: number,
  target: { dataset: Dataset; indices: Int32Array },
): { perExample: Float64Array; delta: Float64Array } {
  const n = target.indices.length;
  const perExample = new Float64Array(n);
  const delta = new Float64Array(n * k);
  const { dataset, indices } = target;
  for (let i = 0; i < n; i++) {
    const row = i * k;
    const example = indices[i] as number;
    if (loss === 'softmax-cross-entropy') {
      const y = dataset.labels?.[example] as number;
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < k; j++) max = Math.max(max, z[row + j] as number);
      let sum = 0;
      for (let j = 0; j < k; j++) {
        const e = Math.exp((z[row + j] as number) - max);
        delta[row + j] = e;
        sum += e;
      }
      for (let j = 0; j < k; j++) delta[row + j] = (delta[row + j] as number) / sum - (j === y ? 1 : 0);
      perExample[i] = max + Math.log(sum) - (z[row + y] as number);
    } else {
      let s = 0;
      for (let j = 0; j < k; j++) {
        const t = dataset.targets
          ? (dataset.targets[example * k + j] as number)
          : dataset.labels?.[example] === j
            ? 1
            : 0;
        const d = (z[row + j] as number) - t;
        delta[row + j] = d;
        s += d * d;
      }
      perExample[i] = 0.5 * s;
    }
  }
  return { perExample, delta };
}
