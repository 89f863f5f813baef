/**
 * The dense-layer building blocks, as tfjs ops (call inside `tf.tidy`):
 *   forward      Z = A·W + b (fused with relu where the backend fuses it), A' = f(Z)
 *   products     AᵀB and ABᵀ, with the transpose materialised on backends whose matMul is
 *                only fast untransposed (tfjs-wasm: XNNPACK; transposed operands fall back
 *                to a naive loop about 20× slower at 784×128×512)
 *   rows         the batch's rows of a dataset tensor, gathered on the device (tfjs-wasm's
 *                GatherV2 computes an index vector per element; its GatherNd copies whole rows,
 *                about 14× faster for 128 rows of 784)
 * On tfjs-wasm a product's right operand is repacked for XNNPACK whenever it is a new tensor
 * (the packed operator is cached per tensor), which the weights are after every step: packing a
 * 784 × 512 weight took ~6 ms where the batch-16 product itself takes ~1 ms. So with few rows
 * (n ≤ columns/4, measured), A·W runs as (Wᵀ·Aᵀ)ᵀ and Δ·Wᵀ as (W·Δᵀ)ᵀ: the small batch
 * operand is the packed one, at the price of transposes that cost about one elementwise op.
 */
import type { Activation } from '@abs/core';
import type { Tensor, Tensor1D, Tensor2D, Tensor3D, TensorFlow } from '../tfjs-namespace';

/** How to run the dense math fastest on a tfjs backend. */
export interface KernelChoices {
  /** Materialise transposes before `matMul` instead of passing `transposeA/B`. */
  readonly explicitTranspose: boolean;
  /** Gather rows with `tf.gatherND` (index n × 1) instead of `tf.gather`. */
  readonly gatherNd: boolean;
}

/** The fastest choices measured per tfjs backend; flags and `tf.gather` elsewhere. */
export const kernelChoicesFor = (tfBackend: string): KernelChoices => ({
  explicitTranspose: tfBackend === 'wasm',
  gatherNd: tfBackend === 'wasm',
});

export interface DenseMath {
  /** The int32 index tensor of a batch, in the form `rows` takes. */
  batchIndex(indices: Int32Array): Tensor;
  /** Rows `index` of `x` (n × width). */
  rows(x: Tensor2D, index: Tensor): Tensor2D;
  /** f(A·W + b); `activation` undefined for the linear output layer. */
  layer(a: Tensor2D, w: Tensor2D, b: Tensor1D | undefined, activation: Activation | undefined): Tensor2D;
  /** Aᵀ (or A itself with `transposeA` on backends that do not materialise it). */
  transposed(a: Tensor2D): Tensor2D;
  /** AᵀB, given `at` from `transposed(a)`. */
  productTA(at: Tensor2D, b: Tensor2D): Tensor2D;
  /** A·Bᵀ */
  productTB(a: Tensor2D, b: Tensor2D): Tensor2D;
  /** A·Aᵀ, given `at` from `transposed(a)`. */
  gramOf(a: Tensor2D, at: Tensor2D): Tensor2D;
  /** Batched AᵢBᵢᵀ for a: b × m × k, b: b × p × k. */
  batchedTB(a: Tensor3D, b: Tensor3D): Tensor3D;
}

/** Whether `a`'s rows are few enough, against the other operand's `columns`, to pack `a` instead. */
const fewRows = (a: Tensor2D, columns: number) => a.shape[0] * 4 <= columns;

export function createDenseMath(tf: TensorFlow, choices: KernelChoices): DenseMath {
  const { explicitTranspose, gatherNd } = choices;
  return {
    batchIndex: (indices) =>
      gatherNd ? tf.tensor2d(indices, [indices.length, 1], 'int32') : tf.tensor1d(indices, 'int32'),
    rows: (x, index) => (gatherNd ? tf.gatherND(x, index) : tf.gather(x, index)) as Tensor2D,
    layer(a, w, b, activation) {
      let z: Tensor2D;
      if (explicitTranspose && fewRows(a, w.shape[1])) {
        const product = tf.transpose(tf.matMul(tf.transpose(w), tf.transpose(a))) as Tensor2D;
        z = b ? tf.add(product, b) : product;
        if (activation === 'relu') return tf.relu(z);
      } else {
        const relu = activation === 'relu';
        z = tf.fused.matMul({ a, b: w, ...(b ? { bias: b } : {}), activation: relu ? 'relu' : 'linear' }) as Tensor2D;
        if (relu) return z;
      }
      if (activation === undefined || activation === 'identity') return z;
      return activation === 'tanh' ? tf.tanh(z) : tf.sigmoid(z);
    },
    transposed: (a) => (explicitTranspose ? tf.transpose(a) : a),
    productTA: (at, b) => (explicitTranspose ? tf.matMul(at, b) : tf.matMul(at, b, true, false)),
    productTB(a, b) {
      if (!explicitTranspose) return tf.matMul(a, b, false, true);
      if (a !== b && fewRows(a, b.shape[0])) return tf.transpose(tf.matMul(b, tf.transpose(a))) as Tensor2D;
      return tf.matMul(a, tf.transpose(b));
    },
    gramOf: (a, at) => (explicitTranspose ? tf.matMul(a, at) : tf.matMul(a, a, false, true)),
    batchedTB: (a, b) => (explicitTranspose ? tf.matMul(a, tf.transpose(b, [0, 2, 1])) : tf.matMul(a, b, false, true)),
  };
}
