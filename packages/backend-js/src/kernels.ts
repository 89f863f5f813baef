/**
 * Dense kernels over row-major arrays with float64 accumulators. Shapes in the names:
 * `matmul` A(n×k)·B(k×m), `matmulAt` Aᵀ(k×n)·B(n×m), `matmulBt` A(n×k)·Bᵀ(k×m).
 * Inputs may be float32 or float64; outputs are float64.
 */
type Values = Float32Array | Float64Array;

/** C = A·B, A: n×k, B: k×m. Row-by-row axpy (i-p-j order) keeps B's rows in cache. */
export function matmul(a: Values, b: Values, n: number, k: number, m: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const row = i * m;
    for (let p = 0; p < k; p++) {
      const x = a[i * k + p] as number;
      if (x === 0) continue;
      const brow = p * m;
      for (let j = 0; j < m; j++) out[row + j] = (out[row + j] as number) + x * (b[brow + j] as number);
    }
  }
  return out;
}

/** C = Aᵀ·B, A: n×k, B: n×m → k×m. */
export function matmulAt(a: Values, b: Values, n: number, k: number, m: number): Float64Array {
  const out = new Float64Array(k * m);
  for (let i = 0; i < n; i++) {
    const brow = i * m;
    for (let p = 0; p < k; p++) {
      const x = a[i * k + p] as number;
      if (x === 0) continue;
      const row = p * m;
      for (let j = 0; j < m; j++) out[row + j] = (out[row + j] as number) + x * (b[brow + j] as number);
    }
  }
  return out;
}

/** C = A·Bᵀ, A: n×k, B: m×k → n×m. */
export function matmulBt(a: Values, b: Values, n: number, k: number, m: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      const ai = i * k;
      const bj = j * k;
      for (let p = 0; p < k; p++) s += (a[ai + p] as number) * (b[bj + p] as number);
      out[i * m + j] = s;
    }
  }
  return out;
}

/** Elementwise square into a new float64 array. */
export function squared(x: Values): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (x[i] as number) * (x[i] as number);
  return out;
}

/** Column sums of an n×m matrix, optionally weighted per row: Σ_i w_i x_i. */
export function columnSums(x: Values, n: number, m: number, rowWeights?: Values): Float64Array {
  const out = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const w = rowWeights ? (rowWeights[i] as number) : 1;
    if (w === 0) continue;
    for (let j = 0; j < m; j++) out[j] = (out[j] as number) + w * (x[i * m + j] as number);
  }
  return out;
}

/** Rows of an n×m matrix scaled by w_i. */
/** ‖x_i‖² of each row of an n × m matrix. */
export function rowSquaredNorms(x: Values, n: number, m: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < m; j++) sum += (x[i * m + j] as number) ** 2;
    out[i] = sum;
  }
  return out;
}

export function scaleRows(x: Values, n: number, m: number, w: Values): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const s = w[i] as number;
    for (let j = 0; j < m; j++) out[i * m + j] = s * (x[i * m + j] as number);
  }
  return out;
}

/** Float32 copy scaled by s. */
export function toFloat32(x: Float64Array, s = 1): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (x[i] as number) * s;
  return out;
}
