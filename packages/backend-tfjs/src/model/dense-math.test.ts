import type { Activation } from '@abs/core';
import { maxRelativeDifference } from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { loadTfjs } from '../test-support/load-tfjs';
import type { Tensor, Tensor1D } from '../tfjs-namespace';
import { createDenseMath } from './dense-math';

const tf = await loadTfjs('cpu');
const filled = (rows: number, columns: number, seed: number) =>
  tf.tensor2d(
    Float32Array.from({ length: rows * columns }, (_, i) => Math.sin(seed + i * 0.7)),
    [rows, columns],
  );
const read = async (t: Tensor) => Float32Array.from(await t.data());

describe('dense math: both ways of running a product give the plain product', () => {
  // With explicit transposes, 4 rows against 16 columns take the (Wᵀ·Aᵀ)ᵀ and (W·Δᵀ)ᵀ form,
  // 8 rows against 16 columns the direct one: both are compared with tf.matMul's flags.
  const math = createDenseMath(tf, { explicitTranspose: true, gatherNd: false });
  for (const rows of [4, 8]) {
    it(`${rows} rows: f(A·W + b) for every activation, and Δ·Wᵀ`, async () => {
      const [a, w, d, v] = [filled(rows, 6, 1), filled(6, 16, 2), filled(rows, 6, 3), filled(16, 6, 4)];
      const b = tf.tensor1d(Float32Array.from({ length: 16 }, (_, i) => i / 8 - 1)) as Tensor1D;
      const activations: (Activation | undefined)[] = [undefined, 'identity', 'relu', 'tanh', 'sigmoid'];
      for (const activation of activations) {
        for (const bias of [b, undefined]) {
          const z = tf.matMul(a, w);
          const linear = bias ? tf.add(z, bias) : z;
          const expected =
            activation === 'relu'
              ? tf.relu(linear)
              : activation === 'tanh'
                ? tf.tanh(linear)
                : activation === 'sigmoid'
                  ? tf.sigmoid(linear)
                  : linear;
          const ours = math.layer(a, w, bias, activation);
          expect(ours.shape).toEqual([rows, 16]);
          expect(maxRelativeDifference(await read(ours), await read(expected)), `${activation} ${!!bias}`).toBeLessThan(
            1e-6,
          );
          tf.dispose([z, linear, expected, ours]);
        }
      }
      // Δ (rows × 6) times the transpose of a 16 × 6 weight.
      const product = math.productTB(d, v);
      const expected = tf.matMul(d, v, false, true);
      expect(product.shape).toEqual([rows, 16]);
      expect(maxRelativeDifference(await read(product), await read(expected))).toBeLessThan(1e-6);
      tf.dispose([a, w, d, v, b, product, expected]);
    });
  }
});
