/**
 * Adam (Kingma & Ba 2015) with bias correction and coupled L2 weight decay over host
 * Float64Arrays, for Arbiter's small JavaScript-side parameters m ∈ ℝ^d and α ∈ ℝ^K. Same
 * rule as core's `adam`:  g ← g + λθ;  m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²;
 *   θ ← θ − η · m̂/(√v̂ + ε),  m̂ = m/(1−β1^t),  v̂ = v/(1−β2^t).
 */

/** Plain JSON-serialisable (typed arrays round-trip through `encodeState`). */
export interface HostAdamState {
  readonly step: number;
  readonly m: Float64Array;
  readonly v: Float64Array;
}

export interface HostAdamConfig {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
}

/**
 * Fresh moments (zeros) and step count 0.
 * @example
 * hostAdamInit(2); // { step: 0, m: Float64Array [0, 0], v: Float64Array [0, 0] }
 */
export const hostAdamInit = (size: number): HostAdamState => ({
  step: 0,
  m: new Float64Array(size),
  v: new Float64Array(size),
});

/**
 * One Adam step; returns new arrays and leaves its inputs unchanged.
 * @example
 * const { parameters } = hostAdamStep({ parameters: Float64Array.of(0), gradient: Float64Array.of(5),
 *   state: hostAdamInit(1), learningRate: 1e-3, config: { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 } });
 * // parameters ≈ [-0.001]: the first step is η·g/(|g| + ε)
 */
export function hostAdamStep(input: {
  readonly parameters: Float64Array;
  readonly gradient: ArrayLike<number>;
  readonly state: HostAdamState;
  readonly learningRate: number;
  readonly config: HostAdamConfig;
}): { parameters: Float64Array; state: HostAdamState } {
  const { parameters, gradient, state, learningRate, config } = input;
  const { beta1, beta2, epsilon, weightDecay } = config;
  const t = state.step + 1;
  const correction1 = 1 - beta1 ** t;
  const correction2 = 1 - beta2 ** t;
  const m = new Float64Array(parameters.length);
  const v = new Float64Array(parameters.length);
  const next = new Float64Array(parameters.length);
  for (let i = 0; i < parameters.length; i++) {
    const theta = parameters[i] as number;
    const g = (gradient[i] as number) + weightDecay * theta;
    m[i] = beta1 * (state.m[i] as number) + (1 - beta1) * g;
    v[i] = beta2 * (state.v[i] as number) + (1 - beta2) * g * g;
    const mHat = (m[i] as number) / correction1;
    const vHat = (v[i] as number) / correction2;
    next[i] = theta - (learningRate * mHat) / (Math.sqrt(vHat) + epsilon);
  }
  return { parameters: next, state: { step: t, m, v } };
}
