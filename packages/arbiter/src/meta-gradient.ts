/**
 * Response injection and the closed-form meta-gradients of README “One iteration”
 * step 7 and README “One iteration”. Features h (B_t × d) become h′ = h + stopgrad(h)∘(l_α·m), so the forward
 * value is h∘(1 + l_α·m) and the only gradient path is through r = l_α·m. With
 * δ = ∂F/∂h′ from the inner model's head:
 *   ∂F/∂l_α = Σ_i Σ_k δ_ik h_ik m_k        ∂F/∂m = l_α · Σ_i h_i∘δ_i
 *   ∂F/∂α_j = π_j (l_j − l_α) ∂F/∂l_α      ∂F/∂l_j = π_j ∂F/∂l_α
 * All sums run in float64 on the host.
 */

/**
 * h′ = h∘(1 + l_α·m), row-major `rows × d`, rounded to float32 for upload.
 * @example
 * injectResponse(Float32Array.of(1, 2), Float64Array.of(0.1, -0.2), -0.375, 1); // ≈ [0.9625, 2.15] (float32)
 */
export function injectResponse(features: Float32Array, m: Float64Array, lAlpha: number, rows: number): Float32Array {
  const d = m.length;
  const out = new Float32Array(rows * d);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < d; k++) out[i * d + k] = (features[i * d + k] as number) * (1 + lAlpha * (m[k] as number));
  }
  return out;
}

export interface MetaGradientInput {
  /** h, `rows × d` (row-major), the features before injection. */
  readonly features: ArrayLike<number>;
  /** δ = ∂F/∂h′, `rows × d`. */
  readonly featureGradient: ArrayLike<number>;
  readonly m: Float64Array;
  readonly lAlpha: number;
  /** π = softmax(α). */
  readonly pi: ArrayLike<number>;
  /** Sorted candidate logits l. */
  readonly logits: ArrayLike<number>;
}

export interface MetaGradients {
  /** ∂F/∂l_α */
  readonly lAlpha: number;
  /** ∂F/∂m, length d. */
  readonly m: Float64Array;
  /** ∂F/∂α, length K. */
  readonly alpha: Float64Array;
  /** ∂F/∂l_j for the sorted logits, length K. */
  readonly logits: Float64Array;
}

/**
 * The closed form of README “One iteration” (verified against finite differences in A3).
 * @example
 * metaGradients({ features: [1], featureGradient: [2], m: Float64Array.of(0.5), lAlpha: 1, pi: [1], logits: [1] });
 * // { lAlpha: 1 (= 2·1·0.5), m: [2] (= 1·1·2), alpha: [0] (l_1 = l_α), logits: [1] }
 * @see README “One iteration”
 */
export function metaGradients(input: MetaGradientInput): MetaGradients {
  const { features, featureGradient, m, lAlpha, pi, logits } = input;
  const d = m.length;
  const rows = features.length / d;
  const hDelta = new Float64Array(d); // Σ_i h_ik δ_ik per k
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < d; k++) {
      hDelta[k] = (hDelta[k] as number) + (features[i * d + k] as number) * (featureGradient[i * d + k] as number);
    }
  }
  let dLAlpha = 0;
  for (let k = 0; k < d; k++) dLAlpha += (hDelta[k] as number) * (m[k] as number);
  const k = pi.length;
  return {
    lAlpha: dLAlpha,
    m: hDelta.map((v) => lAlpha * v),
    alpha: Float64Array.from({ length: k }, (_, j) => (pi[j] as number) * ((logits[j] as number) - lAlpha) * dLAlpha),
    logits: Float64Array.from({ length: k }, (_, j) => (pi[j] as number) * dLAlpha),
  };
}
