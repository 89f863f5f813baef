/**
 * Summaries of a subset S of a batch's per-example gradients, read off their N×N Gram matrix
 * K[i, j] = ⟨g_i, g_j⟩ (row-major Float64Array), as in README “Notation”:
 *   n = |S|,  Q = Σ_{i∈S} K_ii = Σ‖g_i‖²,  P = Σ_{i,j∈S} K_ij = ‖Σ_{i∈S} g_i‖².
 * Every DBA metric is a closed form in (n, Q, P), so selection never touches a gradient.
 */
import { EmptyBatchError, InvalidArgumentError, ShapeMismatchError } from '@abs/core';

/** (n, Q, P) of a subset; see the file header. */
export interface GramSummary {
  /** n = |S|, the number of examples in the subset. */
  readonly size: number;
  /** Q = Σ_{i∈S} ‖g_i‖², the trace of the subset's Gram block. */
  readonly sumOfSquaredNorms: number;
  /** P = ‖Σ_{i∈S} g_i‖², the sum of every entry of the subset's Gram block. */
  readonly squaredNormOfSum: number;
}

/**
 * N for a row-major N×N Gram matrix.
 * @throws EmptyBatchError for an empty matrix, ShapeMismatchError when the length is not a square.
 * @example
 * gramSize(new Float64Array(9)); // 3
 */
export function gramSize(gram: Float64Array, where = 'gram'): number {
  if (gram.length === 0) throw new EmptyBatchError({ where });
  const n = Math.round(Math.sqrt(gram.length));
  if (n * n !== gram.length) {
    throw new ShapeMismatchError({ what: `${where} (a square N×N matrix)`, expected: [n, n], actual: [gram.length] });
  }
  return n;
}

/**
 * (n, Q, P) of `subset` (default: all N examples), by direct summation in float64.
 * @param gram row-major N×N Gram matrix
 * @param subset indices in [0, N), each at most once
 * @example
 * // g = [1, 3] (1-D): K = [[1, 3], [3, 9]] → n = 2, Q = 10, P = 16
 * summarizeGram(Float64Array.of(1, 3, 3, 9)); // { size: 2, sumOfSquaredNorms: 10, squaredNormOfSum: 16 }
 * @see README “Notation”
 */
export function summarizeGram(gram: Float64Array, subset?: readonly number[]): GramSummary {
  const n = gramSize(gram);
  const members = subset ?? Array.from({ length: n }, (_, i) => i);
  for (const i of members) {
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      throw new InvalidArgumentError({
        argument: 'subset',
        value: i,
        message: `summarizeGram: subset index ${i} is outside [0, ${n})`,
      });
    }
  }
  let q = 0;
  let p = 0;
  for (const i of members) {
    q += gram[i * n + i] as number;
    for (const j of members) p += gram[i * n + j] as number;
  }
  return { size: members.length, sumOfSquaredNorms: q, squaredNormOfSum: p };
}

/**
 * K = Σ_ℓ K_ℓ: the Gram matrix of the concatenated per-layer gradients (`scope: 'global'`).
 * @example
 * sumGrams([Float64Array.of(1, 0, 0, 1), Float64Array.of(2, 1, 1, 2)]); // Float64Array [3, 1, 1, 3]
 */
export function sumGrams(grams: readonly Float64Array[]): Float64Array {
  const first = grams[0];
  if (!first) throw new EmptyBatchError({ where: 'sumGrams (no layers)' });
  const total = new Float64Array(first.length);
  grams.forEach((gram, layer) => {
    if (gram.length !== first.length) {
      throw new ShapeMismatchError({ what: `gram[${layer}]`, expected: [first.length], actual: [gram.length] });
    }
    for (let k = 0; k < gram.length; k++) total[k] = (total[k] as number) + (gram[k] as number);
  });
  return total;
}
