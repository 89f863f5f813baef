/**
 * Per-example statistics of a dense or conv2d layer on the device, from its input and Δ̃ (the
 * output gradients scaled by the pass's s). Example i's gradient is G_i = Σ_p a_ip δ_ipᵀ over
 * output positions p (one for dense) and Σ_p δ_ip for the bias (see `conv-geometry.ts` for the
 * patches a_ip). Sums of Δ̃ are rescaled by the caller's factors:
 *   gradient        Σ_i G̃_i = AᵀΔ̃ over all rows (example, position); for conv, as one convolution
 *                   of the input by Δ̃ (`kernelGradient`), without patches
 *   second moment   exact Σ_i G̃_i∘G̃_i;  reference Σ_{i,p} (a_ip∘a_ip)(δ̃_ip∘δ̃_ip)ᵀ (cross-position
 *                   terms dropped, the CABS authors' formula; both are the same for dense), for
 *                   conv the gradient convolution of x∘x by Δ̃∘Δ̃, without patches
 *   ‖G̃_i‖²          materialised G̃_i (P·K·F per example, a depthwise convolution of the input by
 *                   each example's Δ̃) or Σ_{p,q} (a_ip·a_iq)(δ̃_ip·δ̃_iq) (P²·(K+F), from patches)
 *   Gram ⟨G̃_i, G̃_j⟩  materialised G̃ blocks, or Σ_{p,q} (a_ip·a_jq)(δ̃_ip·δ̃_jq)
 *   weighted        Σ_i w_i G̃_i: the gradient of Δ̃ ∘ w
 * `'auto'` picks the cheaper formulation per layer, as the reference backend does. Dense layers
 * (P = 1) use the closed forms ‖a_i‖²‖δ̃_i‖² and (AAᵀ)∘(Δ̃Δ̃ᵀ).
 *
 * Memory: a conv layer's patches, per-example gradients and position products are made for
 * chunks of examples holding at most `chunkElements` values each (at least one example); a Gram
 * block pairs two chunks. Call inside `tf.tidy`.
 */
import type { LayerInfo, SecondMomentFidelity } from '@abs/core';
import type { Tensor, Tensor1D, Tensor2D, Tensor3D, Tensor4D, TensorFlow } from '../tfjs-namespace';
import type { DenseMath } from './dense-math';
import {
  exampleKernelGradients,
  kernelGradient,
  type LinearGeometry,
  linearGeometry,
  patches,
} from './layers/conv-geometry';

export type StatisticsMethod = 'auto' | 'materialise' | 'positions';

export interface StatisticsOptions {
  /** Most values per chunk of a conv layer's patches or per-example gradients. */
  readonly chunkElements: number;
  readonly method: StatisticsMethod;
}

export const DEFAULT_STATISTICS: StatisticsOptions = { chunkElements: 1 << 22, method: 'auto' };

export interface LinearLayerStatistics {
  /** Σ_i G̃_i (and Σ Δ̃ for the bias), in the parameters' shapes. */
  gradient(): Tensor[];
  /** Second-moment sums (exact or reference) times `factor`. */
  secondMoment(fidelity: SecondMomentFidelity, factor: number): Tensor[];
  /** ‖G̃_i‖² · factor per example, weight then bias. */
  norms(factor: number): Tensor1D[];
  /**
   * Σ of every entry of `secondMoment(fidelity, factor)` (weight and bias), a scalar, without
   * the moments: exact from the norms (Σ_i ‖G̃_i‖²), reference as Σ_{i,p} ‖a_ip‖²·‖δ̃_ip‖².
   */
  momentSum(fidelity: SecondMomentFidelity, factor: number): Tensor;
  /** ⟨G̃_i, G̃_j⟩ · factor (weight and bias together), n × n. */
  gram(factor: number): Tensor2D;
  /** Σ_i w_i G̃_i for weights `w` (length n). */
  weighted(w: Tensor1D): Tensor[];
}

interface Chunk {
  /** Patches, c × P × K. */
  readonly a: Tensor3D;
  /** Δ̃, c × P × F. */
  readonly d: Tensor3D;
}

/** Where statistics run: the namespace, the dense kernels and the chunking. */
export interface StatisticsDevice {
  readonly tf: TensorFlow;
  readonly math: DenseMath;
  readonly options: StatisticsOptions;
}

/** The statistics of `info` from its input and Δ̃. */
export function linearStatistics(
  device: StatisticsDevice,
  info: LayerInfo,
  input: Tensor,
  delta: Tensor,
): LinearLayerStatistics {
  const g = linearGeometry(info);
  return g.conv
    ? convStatistics(device, g, input, delta)
    : denseStatistics(device, g, input as Tensor2D, delta as Tensor2D);
}

function denseStatistics(
  { tf, math }: StatisticsDevice,
  g: LinearGeometry,
  a: Tensor2D,
  delta: Tensor2D,
): LinearLayerStatistics {
  let transposed: Tensor2D | undefined;
  const at = () => {
    transposed ??= math.transposed(a);
    return transposed;
  };
  const withBias = (weight: Tensor, bias: () => Tensor) => (g.bias ? [weight, bias()] : [weight]);
  const gradientOf = (d: Tensor2D) => withBias(math.productTA(at(), d), () => tf.sum(d, 0));
  return {
    gradient: () => gradientOf(delta),
    secondMoment(_fidelity, factor) {
      const d2 = tf.mul(tf.square(delta), factor) as Tensor2D;
      return withBias(math.productTA(tf.square(at()), d2), () => tf.sum(d2, 0));
    },
    norms(factor) {
      const dd = tf.mul(tf.sum(tf.square(delta), 1), factor) as Tensor1D;
      return withBias(tf.mul(tf.sum(tf.square(a), 1), dd), () => dd) as Tensor1D[];
    },
    // One position: both fidelities are Σ_i (‖a_i‖² + 1 with a bias)·‖δ̃_i‖².
    momentSum: (_fidelity, factor) => {
      const aa = tf.sum(tf.square(a), 1);
      return tf.mul(tf.sum(tf.mul(g.bias ? tf.add(aa, 1) : aa, tf.sum(tf.square(delta), 1))), factor);
    },
    gram(factor) {
      const inner = math.gramOf(a, at());
      return tf.mul(tf.mul(math.productTB(delta, delta), g.bias ? tf.add(inner, 1) : inner), factor);
    },
    weighted: (w) => gradientOf(tf.mul(delta, tf.reshape(w, [-1, 1]))),
  };
}

function convStatistics(
  { tf, math, options }: StatisticsDevice,
  g: LinearGeometry,
  input: Tensor,
  delta: Tensor,
): LinearLayerStatistics {
  const n = input.shape[0] as number;
  const { positions: P, width: K, channels: F } = g;
  const size = (perExample: number) => Math.max(1, Math.floor(options.chunkElements / perExample));
  const ranges = (chunk: number) =>
    Array.from({ length: Math.ceil(n / chunk) }, (_, c) => [c * chunk, Math.min(chunk, n - c * chunk)] as const);
  let whole: Chunk | undefined;
  const chunkOf = (start: number, count: number): Chunk => {
    if (count === n && whole) return whole;
    const x = count === n ? input : tf.slice(input, start, count);
    const d = count === n ? delta : tf.slice(delta, start, count);
    const chunk = { a: patches(tf, g, x), d: tf.reshape(d, [count, P, F]) as Tensor3D };
    if (count === n) whole = chunk;
    return chunk;
  };
  const flat = (t: Tensor3D, width: number) => tf.reshape(t, [-1, width]) as Tensor2D;
  const biasSums = (d: Tensor3D) => tf.sum(d, 1) as Tensor2D; // c × F
  const withBias = (weight: Tensor, bias: () => Tensor) => (g.bias ? [weight, bias()] : [weight]);
  /** G̃ of the examples [start, start + count): C × kh × kw × count × F. */
  const perExample = (start: number, count: number) =>
    exampleKernelGradients(
      tf,
      g,
      count === n ? input : tf.slice(input, start, count),
      count === n ? delta : tf.slice(delta, start, count),
    );
  /** The same as rows, count × K·F (in the order C, kh, kw, F: the same for every example). */
  const perExampleRows = (start: number, count: number) =>
    tf.reshape(tf.transpose(perExample(start, count), [3, 0, 1, 2, 4]), [count, K * F]) as Tensor2D;
  const usePositions = (materialise: number, positions: number) =>
    options.method === 'auto' ? positions < materialise : options.method === 'positions';

  return {
    gradient: () => withBias(kernelGradient(tf, g, input, delta), () => tf.sum(delta, [0, 1, 2])),
    secondMoment(fidelity, factor) {
      if (fidelity === 'reference') {
        // a_ip∘a_ip are the patches of x∘x (padding stays zero), so this is the gradient
        // convolution of x∘x by Δ̃∘Δ̃: one convolution, no patches.
        const weight = kernelGradient(tf, g, tf.square(input), tf.square(delta));
        return withBias(tf.mul(weight, factor), () => tf.mul(tf.sum(tf.square(delta), [0, 1, 2]), factor));
      }
      const sums = ranges(size(K * F + P * F)).map(([s, c]) => tf.sum(tf.square(perExample(s, c)), 3));
      const weight = tf.transpose(tf.mul(tf.addN(sums), factor), [1, 2, 0, 3]);
      return withBias(weight, () => tf.mul(tf.sum(tf.square(biasSums(tf.reshape(delta, [n, P, F]))), 0), factor));
    },
    norms(factor) {
      const positions = usePositions(P * K * F, P * P * (K + F));
      const values = positions ? P * P + P * (K + F) : K * F + P * F;
      const parts = ranges(size(values)).map(([s, c]) => {
        if (!positions) {
          // Σ over F (innermost: no transpose), then over C, kh, kw of the small K × c rest. (A
          // product with ones has tfjs-wasm repack the K × c·F squares every step: ~10× slower.)
          const squares = tf.reshape(tf.square(perExample(s, c)), [K, c, F]);
          return tf.sum(tf.sum(squares, 2), 0);
        }
        const chunk = chunkOf(s, c);
        return tf.sum(tf.mul(math.batchedTB(chunk.a, chunk.a), math.batchedTB(chunk.d, chunk.d)), [1, 2]);
      });
      const weight = tf.mul(parts.length === 1 ? (parts[0] as Tensor) : tf.concat(parts), factor) as Tensor1D;
      return withBias(weight, () =>
        tf.mul(tf.sum(tf.square(biasSums(tf.reshape(delta, [n, P, F]))), 1), factor),
      ) as Tensor1D[];
    },
    momentSum(fidelity, factor) {
      if (fidelity === 'exact') {
        const norms = this.norms(factor);
        return tf.sum(norms.length === 1 ? (norms[0] as Tensor) : tf.addN(norms));
      }
      // ‖a_ip‖² is the window sum of Σ_c x² under position p: a one-channel convolution by ones.
      const conv = g.conv as NonNullable<LinearGeometry['conv']>;
      const [kh, kw] = conv.kernel;
      const windows = tf.conv2d(
        tf.sum(tf.square(input), 3, true) as Tensor4D,
        tf.ones([kh, kw, 1, 1]) as Tensor4D,
        conv.strides as [number, number],
        conv.padding,
      );
      const aa = tf.reshape(windows, [n, P]);
      const dd = tf.sum(tf.square(tf.reshape(delta, [n, P, F])), 2);
      return tf.mul(tf.sum(tf.mul(g.bias ? tf.add(aa, 1) : aa, dd)), factor);
    },
    gram(factor) {
      const positions = usePositions(n * P * K * F + ((n * n) / 2) * K * F, ((n * (n + 1)) / 2) * P * P * (K + F));
      const blocks = positions
        ? ranges(Math.max(1, Math.min(size(P * (K + F)), Math.floor(Math.sqrt(options.chunkElements) / P))))
        : ranges(size(K * F + P * F));
      const block = (left: readonly [number, number], right: readonly [number, number]) => {
        if (!positions) return math.productTB(perExampleRows(...left), perExampleRows(...right));
        const [l, r] = [chunkOf(...left), chunkOf(...right)];
        const sa = math.productTB(flat(l.a, K), flat(r.a, K));
        const sd = math.productTB(flat(l.d, F), flat(r.d, F));
        return tf.sum(tf.reshape(tf.mul(sa, sd), [left[1], P, right[1], P]), [1, 3]) as Tensor2D;
      };
      const rows = blocks.map((left) => {
        const row = blocks.map((right) => block(left, right));
        return row.length === 1 ? (row[0] as Tensor) : tf.concat(row, 1);
      });
      let weight = rows.length === 1 ? (rows[0] as Tensor) : tf.concat(rows, 0);
      if (g.bias) {
        const b = biasSums(tf.reshape(delta, [n, P, F]));
        weight = tf.add(weight, math.productTB(b, b));
      }
      return tf.mul(weight, factor) as Tensor2D;
    },
    weighted(w) {
      const weightedDelta = tf.mul(delta, tf.reshape(w, [n, 1, 1, 1]));
      return withBias(kernelGradient(tf, g, input, weightedDelta), () => tf.sum(weightedDelta, [0, 1, 2]));
    },
  };
}
