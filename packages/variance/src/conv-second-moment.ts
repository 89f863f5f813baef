/**
 * Second moments of weight-shared parameters (convolution kernels and biases), the one place
 * where the two fidelity modes of CABS differ (@abs/cabs README, "Fidelity"). Example i's gradient of a
 * shared element is a sum over positions p of contributions c_ip (x_{i,p+k}·δ_ip for kernel tap
 * k, δ_ip for the bias), so
 * - `exact`:     M = (1/m) Σ_i (Σ_p c_ip)²   (per-example gradients squared; BackPACK, Cockpit)
 * - `reference`: M = (1/m) Σ_i Σ_p c_ip²     (the CABS TensorFlow code: cross-position terms dropped).
 * Host-side float64 oracles on plain arrays, for tests of backends that add conv layers.
 */
import { InvalidArgumentError, ShapeMismatchError } from '@abs/core';

export type SecondMomentFidelity = 'exact' | 'reference';

/**
 * @param contributions c_ip, one row per example, one entry per position
 * @param fidelity `'exact'` or `'reference'`
 * @example
 * // one example, positions contributing 1 and 2 (spec vector C3)
 * sharedParameterSecondMoment([[1, 2]], 'exact'); // 9
 * sharedParameterSecondMoment([[1, 2]], 'reference'); // 5
 * @see the @abs/cabs README, "Fidelity"
 */
export function sharedParameterSecondMoment(
  contributions: readonly (readonly number[])[],
  fidelity: SecondMomentFidelity,
): number {
  if (contributions.length === 0) {
    throw new InvalidArgumentError({
      argument: 'contributions',
      value: contributions,
      message: 'sharedParameterSecondMoment: needs at least one example',
    });
  }
  let total = 0;
  for (const row of contributions) {
    if (fidelity === 'exact') {
      const gradient = row.reduce((a, b) => a + b, 0);
      total += gradient * gradient;
    } else {
      total += row.reduce((a, b) => a + b * b, 0);
    }
  }
  return total / contributions.length;
}

export interface Conv1dMomentInput {
  /** x_i, one row of length L per example (one channel). */
  readonly inputs: readonly (readonly number[])[];
  /** δ_i = ∂ℓ_i/∂z_i, one row of length L − K + 1 per example. */
  readonly outputGradients: readonly (readonly number[])[];
  /** K, the kernel width; z_ip = Σ_k w_k·x_{i,p+k} + b (stride 1, no padding). */
  readonly kernelSize: number;
}

/**
 * Second moments of a one-channel 1-D convolution's kernel taps and bias.
 * @example
 * // C3: a 1×1 conv over 2 positions, x = (1, 2), δ = (1, 1)
 * convSecondMoment({ inputs: [[1, 2]], outputGradients: [[1, 1]], kernelSize: 1 }, 'exact');
 * // { weight: Float64Array [9], bias: 4 }; with 'reference': { weight: [5], bias: 2 }
 * @see the @abs/cabs README, "Fidelity" (test vector C3)
 */
export function convSecondMoment(
  input: Conv1dMomentInput,
  fidelity: SecondMomentFidelity,
): { weight: Float64Array; bias: number } {
  const { inputs, outputGradients, kernelSize } = input;
  if (!Number.isSafeInteger(kernelSize) || kernelSize < 1) {
    throw new InvalidArgumentError({
      argument: 'kernelSize',
      value: kernelSize,
      message: `convSecondMoment: kernelSize must be an integer ≥ 1, got ${kernelSize}`,
    });
  }
  inputs.forEach((x, i) => {
    const delta = outputGradients[i];
    if (delta === undefined || delta.length !== x.length - kernelSize + 1) {
      throw new ShapeMismatchError({
        what: `convSecondMoment: outputGradients[${i}]`,
        expected: [x.length - kernelSize + 1],
        actual: [delta?.length ?? 0],
      });
    }
  });
  const weight = Float64Array.from({ length: kernelSize }, (_, k) =>
    sharedParameterSecondMoment(
      inputs.map((x, i) => (outputGradients[i] as readonly number[]).map((d, p) => (x[p + k] as number) * d)),
      fidelity,
    ),
  );
  return { weight, bias: sharedParameterSecondMoment(outputGradients, fidelity) };
}
