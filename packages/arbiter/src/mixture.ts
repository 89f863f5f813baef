/**
 * The agent's candidates and their mixture (README “One iteration” steps 3–4): the
 * agent's b×K outputs are averaged over rows and sorted ascending into l (keeping the
 * permutation), π = softmax(α), and the mixed logit is l_α = Σ_j π_j l_j. Gradients with
 * respect to the sorted l_j go back to output column perm(j) with weight 1/b per row.
 */

export interface Candidates {
  /** Sorted candidate logits l_1 ≤ … ≤ l_K. */
  readonly logits: Float64Array;
  /** `permutation[j]` is the agent output column that became l_j (ties keep column order). */
  readonly permutation: Int32Array;
}

/**
 * Column means of a row-major `rows × k` matrix, sorted ascending.
 * @example
 * sortedCandidates([1, -2, 3, 0], 2, 2); // logits [-1, 2], permutation [1, 0]
 */
export function sortedCandidates(outputs: ArrayLike<number>, rows: number, k: number): Candidates {
  const means = new Float64Array(k);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < k; j++) means[j] = (means[j] as number) + (outputs[i * k + j] as number);
  }
  for (let j = 0; j < k; j++) means[j] = (means[j] as number) / rows;
  const order = Array.from({ length: k }, (_, j) => j).sort(
    (a, b) => (means[a] as number) - (means[b] as number) || a - b,
  );
  return { logits: Float64Array.from(order, (j) => means[j] as number), permutation: Int32Array.from(order) };
}

/**
 * π = softmax(α), shifted by max α for stability.
 * @example
 * softmax([0, 0]); // Float64Array [0.5, 0.5]
 */
export function softmax(alpha: ArrayLike<number>): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < alpha.length; j++) max = Math.max(max, alpha[j] as number);
  const out = Float64Array.from({ length: alpha.length }, (_, j) => Math.exp((alpha[j] as number) - max));
  const sum = out.reduce((s, v) => s + v, 0);
  return out.map((v) => v / sum);
}

/**
 * l_α = Σ_j π_j l_j.
 * @example
 * mixLogits([0.25, 0.25, 0.25, 0.25], [-2, -1, 0.5, 1]); // -0.375
 */
export function mixLogits(pi: ArrayLike<number>, logits: ArrayLike<number>): number {
  let sum = 0;
  for (let j = 0; j < pi.length; j++) sum += (pi[j] as number) * (logits[j] as number);
  return sum;
}

/**
 * Index of the largest value; ties go to the smallest index (README “Epoch-end decision”).
 * @example
 * argmaxFirst([0.1, 0.5, 0.5]); // 1
 */
export function argmaxFirst(values: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < values.length; j++) if ((values[j] as number) > (values[best] as number)) best = j;
  return best;
}

/**
 * The upstream gradient ∂F/∂o (rows × k) of the agent outputs: ∂F/∂l_j goes to column
 * perm(j) of every row, divided by the row count (l is a mean over rows).
 * @example
 * routeToOutputs([1, 2], Int32Array.from([1, 0]), 2); // [1, 0.5, 1, 0.5]
 */
export function routeToOutputs(logitGradient: ArrayLike<number>, permutation: Int32Array, rows: number): Float32Array {
  const k = permutation.length;
  const out = new Float32Array(rows * k);
  for (let j = 0; j < k; j++) {
    const value = (logitGradient[j] as number) / rows;
    const column = permutation[j] as number;
    for (let i = 0; i < rows; i++) out[i * k + column] = value;
  }
  return out;
}
