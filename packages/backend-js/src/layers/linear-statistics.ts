/**
 * Per-example statistics of a layer whose output at position p is z_ip = a_ipᵀW + b: a dense
 * layer (one position) or a convolution (a_ip the input patch under output position p). Example
 * i's gradient is G_i = Σ_p a_ip δ_ipᵀ (weight, K × F) and Σ_p δ_ip (bias, F), so:
 *   gradient        Σ_i w_i G_i
 *   second moment   exact Σ_i G_i∘G_i;  reference Σ_i Σ_p (a_ip∘a_ip)(δ_ip∘δ_ip)ᵀ (cross terms dropped)
 *   ‖G_i‖²          materialised G_i (P·K·F work), or Σ_{p,q} (a_ip·a_iq)(δ_ip·δ_iq) (P²·(K+F))
 *   Gram ⟨G_i, G_j⟩  materialised chunks of G, or Σ_{p,q} (a_ip·a_jq)(δ_ip·δ_jq)
 * With one position both fidelities coincide and the positions formulas are the dense ones
 * (‖a_i‖²‖δ_i‖², (a_i·a_j)(δ_i·δ_j)). Sums only: callers divide by n where they want means.
 *
 * Memory: per-example gradients are materialised one chunk at a time, never more than
 * `max(K·F, chunkElements)` values per chunk and two chunks at once (the Gram's pairs of chunks);
 * `statisticsMemory.peak` records the largest number of per-example gradient values held.
 */
export interface PatchView {
  readonly n: number;
  /** P: output positions per example (1 for dense). */
  readonly positions: number;
  /** K: values per patch (dense: inputs; conv: kh·kw·inChannels). */
  readonly width: number;
  /** F: output channels. */
  readonly channels: number;
  readonly bias: boolean;
  /** Example i's patches, P × K row-major. */
  patches(i: number): Float64Array;
  /** Example i's output gradients δ, P × F row-major. */
  delta(i: number): Float64Array;
}

export type StatisticsMethod = 'auto' | 'materialise' | 'positions';

export interface StatisticsOptions {
  /** Most per-example gradient values materialised per chunk (at least one example's). */
  readonly chunkElements: number;
  /** Formulation of norms and Gram; `'auto'` picks the cheaper per layer. */
  readonly method: StatisticsMethod;
}

export const DEFAULT_STATISTICS: StatisticsOptions = { chunkElements: 1 << 20, method: 'auto' };

/** Largest count of per-example gradient values held at once (for the documented bound). */
export const statisticsMemory = {
  peak: 0,
  live: 0,
  reset() {
    this.peak = 0;
    this.live = 0;
  },
};

function hold(values: number): Float64Array {
  statisticsMemory.live += values;
  statisticsMemory.peak = Math.max(statisticsMemory.peak, statisticsMemory.live);
  return new Float64Array(values);
}
const release = (buffer: Float64Array) => {
  statisticsMemory.live -= buffer.length;
};

/** out ← out + w·AᵀΔ for one example (A: P×K, Δ: P×F, out: K×F). */
function accumulateGradient(view: PatchView, i: number, w: number, out: Float64Array, offset = 0): void {
  const { positions: P, width: K, channels: F } = view;
  const a = view.patches(i);
  const d = view.delta(i);
  for (let p = 0; p < P; p++) {
    for (let k = 0; k < K; k++) {
      const x = w * (a[p * K + k] as number);
      if (x === 0) continue;
      const row = offset + k * F;
      const dp = p * F;
      for (let f = 0; f < F; f++) out[row + f] = (out[row + f] as number) + x * (d[dp + f] as number);
    }
  }
}

/** Σ_p δ_ip of one example. */
function biasGradient(view: PatchView, i: number): Float64Array {
  const { positions: P, channels: F } = view;
  const d = view.delta(i);
  const out = new Float64Array(F);
  for (let p = 0; p < P; p++) for (let f = 0; f < F; f++) out[f] = (out[f] as number) + (d[p * F + f] as number);
  return out;
}

const dot = (a: Float64Array, b: Float64Array, from = 0, to = a.length, bFrom = from) => {
  let s = 0;
  for (let j = from; j < to; j++) s += (a[j] as number) * (b[bFrom + j - from] as number);
  return s;
};

/** Σ_i w_i G_i and Σ_i w_i Σ_p δ_ip (w_i = 1 without weights). */
export function weightedGradient(view: PatchView, weights?: ArrayLike<number>): Float64Array[] {
  const { n, width: K, channels: F } = view;
  const weight = new Float64Array(K * F);
  const bias = new Float64Array(F);
  for (let i = 0; i < n; i++) {
    const w = weights ? (weights[i] as number) : 1;
    if (w === 0) continue;
    accumulateGradient(view, i, w, weight);
    if (view.bias) {
      const g = biasGradient(view, i);
      for (let f = 0; f < F; f++) bias[f] = (bias[f] as number) + w * (g[f] as number);
    }
  }
  return view.bias ? [weight, bias] : [weight];
}

/** Σ_i G_i∘G_i (`exact`) or Σ_i Σ_p (a_ip∘a_ip)(δ_ip∘δ_ip)ᵀ (`reference`), with the bias alike. */
export function secondMomentSums(view: PatchView, fidelity: 'exact' | 'reference'): Float64Array[] {
  const { n, positions: P, width: K, channels: F } = view;
  const weight = new Float64Array(K * F);
  const bias = new Float64Array(F);
  if (fidelity === 'reference' || P === 1) {
    for (let i = 0; i < n; i++) {
      const a = view.patches(i);
      const d = view.delta(i);
      for (let p = 0; p < P; p++) {
        for (let k = 0; k < K; k++) {
          const x = (a[p * K + k] as number) ** 2;
          if (x === 0) continue;
          for (let f = 0; f < F; f++)
            weight[k * F + f] = (weight[k * F + f] as number) + x * (d[p * F + f] as number) ** 2;
        }
        for (let f = 0; f < F; f++) bias[f] = (bias[f] as number) + (d[p * F + f] as number) ** 2;
      }
    }
  } else {
    const g = hold(K * F);
    for (let i = 0; i < n; i++) {
      g.fill(0);
      accumulateGradient(view, i, 1, g);
      for (let j = 0; j < K * F; j++) weight[j] = (weight[j] as number) + (g[j] as number) ** 2;
      const gb = biasGradient(view, i);
      for (let f = 0; f < F; f++) bias[f] = (bias[f] as number) + (gb[f] as number) ** 2;
    }
    release(g);
  }
  return view.bias ? [weight, bias] : [weight];
}

/** Σ_{p,q} (a_ip·a_jq)(δ_ip·δ_jq) = ⟨G_i, G_j⟩ without materialising either. */
function positionsInner(view: PatchView, i: number, j: number): number {
  const { positions: P, width: K, channels: F } = view;
  const [ai, aj, di, dj] = [view.patches(i), view.patches(j), view.delta(i), view.delta(j)];
  let s = 0;
  for (let p = 0; p < P; p++) {
    for (let q = 0; q < P; q++) {
      const dd = dot(di, dj, p * F, (p + 1) * F, q * F);
      if (dd === 0) continue;
      s += dd * dot(ai, aj, p * K, (p + 1) * K, q * K);
    }
  }
  return s;
}

const materialiseCost = (v: PatchView) => v.positions * v.width * v.channels;
const positionsCost = (v: PatchView) => v.positions * v.positions * (v.width + v.channels);

function usePositions(options: StatisticsOptions, materialise: number, positions: number): boolean {
  if (options.method !== 'auto') return options.method === 'positions';
  return positions < materialise;
}

/** ‖G_i‖² (weight) and ‖Σ_p δ_ip‖² (bias) of every example. */
export function exampleNormsSquared(view: PatchView, options: StatisticsOptions = DEFAULT_STATISTICS): Float64Array[] {
  const { n, width: K, channels: F } = view;
  const weight = new Float64Array(n);
  const bias = new Float64Array(n);
  if (usePositions(options, materialiseCost(view), positionsCost(view))) {
    for (let i = 0; i < n; i++) weight[i] = positionsInner(view, i, i);
  } else {
    const g = hold(K * F);
    for (let i = 0; i < n; i++) {
      g.fill(0);
      accumulateGradient(view, i, 1, g);
      weight[i] = dot(g, g);
    }
    release(g);
  }
  for (let i = 0; i < n; i++) {
    const gb = biasGradient(view, i);
    bias[i] = dot(gb, gb);
  }
  return view.bias ? [weight, bias] : [weight];
}

/** K_ij = ⟨G_i, G_j⟩ + ⟨b_i, b_j⟩, n × n row-major. */
export function gramMatrix(view: PatchView, options: StatisticsOptions = DEFAULT_STATISTICS): Float64Array {
  const { n, width: K, channels: F } = view;
  const gram = new Float64Array(n * n);
  const size = K * F;
  const chunk = Math.max(1, Math.floor(options.chunkElements / size));
  const chunks = Math.ceil(n / chunk);
  const materialise = n * materialiseCost(view) * ((chunks + 1) / 2) + ((n * n) / 2) * size;
  const positions = ((n * (n + 1)) / 2) * positionsCost(view);
  if (usePositions(options, materialise, positions)) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const v = positionsInner(view, i, j);
        gram[i * n + j] = v;
        gram[j * n + i] = v;
      }
    }
  } else {
    const fill = (buffer: Float64Array, from: number, to: number) => {
      buffer.fill(0);
      for (let i = from; i < to; i++) accumulateGradient(view, i, 1, buffer, (i - from) * size);
    };
    const left = hold(Math.min(chunk, n) * size);
    const right = chunks > 1 ? hold(Math.min(chunk, n) * size) : left;
    for (let c = 0; c < chunks; c++) {
      const [i0, i1] = [c * chunk, Math.min(n, (c + 1) * chunk)];
      fill(left, i0, i1);
      for (let d = c; d < chunks; d++) {
        const [j0, j1] = [d * chunk, Math.min(n, (d + 1) * chunk)];
        const other = d === c ? left : right;
        if (d !== c) fill(right, j0, j1);
        for (let i = i0; i < i1; i++) {
          for (let j = Math.max(j0, d === c ? i : j0); j < j1; j++) {
            const v = dot(left, other, (i - i0) * size, (i - i0 + 1) * size, (j - j0) * size);
            gram[i * n + j] = v;
            gram[j * n + i] = v;
          }
        }
      }
    }
    release(left);
    if (right !== left) release(right);
  }
  if (view.bias) {
    const biases = Array.from({ length: n }, (_, i) => biasGradient(view, i));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++)
        gram[i * n + j] = (gram[i * n + j] as number) + dot(biases[i] as Float64Array, biases[j] as Float64Array);
    }
  }
  return gram;
}
