/**
 * Inputs of the test vectors of README “Test vectors”, copied verbatim, and the
 * brute-force helpers the tests derive expected numbers with (per-sample gradients → Gram,
 * direct T(S), subset means). Test support only: nothing here is exported by the package.
 */

/** TV-D0: 6 samples × 2 dims. */
export const D0_GRADIENTS: readonly (readonly number[])[] = [
  [1.0, 0.0],
  [0.8, 0.15],
  [1.15, -0.1],
  [1.05, 0.22],
  [-2.0, 3.0],
  [0.93, 0.04],
];

/** TV-D1/D2: loss_i = ½(w·x_i − y_i)², x_i = 1, at w = 0, so g_i = −y_i. */
export const D1_TARGETS: readonly number[] = [1.0, 1.32, 0.81, 1.12, -3.0];
export const D1_GRADIENTS: readonly (readonly number[])[] = D1_TARGETS.map((y) => [0 * 1 - y]);

/** TV-D3: per-sample gradients of two 1-parameter layers. */
export const D3_LAYER_A: readonly number[] = [5.0, 1.0, 1.1, 0.9, 1.05];
export const D3_LAYER_B: readonly number[] = [0.5, 0.45, 0.6, -2.0, 0.55];

/** TV-D5: dense-layer inputs A (4 × 3) and output gradients Δ (4 × 2), and the expected Gram. */
export const D5_INPUTS: readonly number[] = [0.13, -0.13, 0.64, 0.1, -0.54, 0.36, 1.3, 0.95, -0.7, -1.27, -0.62, 0.04];
export const D5_DELTAS: readonly number[] = [-2.33, -0.22, -1.25, -0.73, -0.54, -0.32, 0.41, 1.04];
export const D5_GRAM: readonly (readonly number[])[] = [
  [7.905935, 4.036824, 0.793839, -1.114357],
  [4.036824, 2.998936, 0.331639, -1.554272],
  [0.793839, 0.331639, 1.608505, 0.702726],
  [-1.114357, -1.554272, 0.702726, 3.747725],
];

/** K[i, j] = ⟨g_i, g_j⟩ of row vectors, row-major, float64. */
export function gramOf(gradients: readonly (readonly number[])[]): Float64Array {
  const n = gradients.length;
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const gi = gradients[i] as readonly number[];
      const gj = gradients[j] as readonly number[];
      k[i * n + j] = gi.reduce((s, v, e) => s + v * (gj[e] as number), 0);
    }
  }
  return k;
}

/** μ_S, the mean of the subset's gradients. */
export function subsetMean(gradients: readonly (readonly number[])[], subset: readonly number[]): number[] {
  const dims = (gradients[0] as readonly number[]).length;
  const mean = new Array<number>(dims).fill(0);
  for (const i of subset) (gradients[i] as readonly number[]).forEach((v, e) => (mean[e] = (mean[e] as number) + v));
  return mean.map((v) => v / subset.length);
}

/** T(S) = (1/n) Σ_{i∈S} ‖g_i − μ_S‖², computed from the gradients (the definition, no Gram). */
export function traceCovariance(gradients: readonly (readonly number[])[], subset: readonly number[]): number {
  const mean = subsetMean(gradients, subset);
  let total = 0;
  for (const i of subset) {
    (gradients[i] as readonly number[]).forEach((v, e) => (total += (v - (mean[e] as number)) ** 2));
  }
  return total / subset.length;
}

/** Σ_i w_i g_i. */
export function weightedSum(gradients: readonly (readonly number[])[], weights: ArrayLike<number>): number[] {
  const dims = (gradients[0] as readonly number[]).length;
  const out = new Array<number>(dims).fill(0);
  gradients.forEach((g, i) => g.forEach((v, e) => (out[e] = (out[e] as number) + (weights[i] as number) * v)));
  return out;
}

/** Decimals printed in a spec number, so a test asks for agreement "to the printed digits". */
export function printedDecimals(text: string): number {
  return text.includes('.') ? (text.split('.')[1] as string).length : 0;
}
