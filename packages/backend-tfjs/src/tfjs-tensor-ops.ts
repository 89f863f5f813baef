/**
 * core's `TensorOps` over `tf.Tensor`. Every operation runs inside `tf.tidy`, so the scalar
 * tensors tfjs makes from number arguments are freed, and returns one new tensor the caller
 * owns. `sum` and `dot` reduce on the device (float32, the widest tfjs has) and read back
 * one scalar asynchronously with `data()`.
 */
import { ShapeMismatchError, type TensorOps } from '@abs/core';
import type { Tensor, TensorFlow } from './tfjs-namespace';

function sameShape(what: string, a: Tensor, b: Tensor): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeMismatchError({ what, expected: a.shape, actual: b.shape });
  }
}

/** Reads a tensor's values into a fresh Float32Array (the cpu backend hands out its own storage). */
export async function readFloat32(x: Tensor): Promise<Float32Array> {
  return new Float32Array(await x.data());
}

/**
 * @param tf the user's TensorFlow.js namespace
 * @param backend name used in error messages, e.g. `'tfjs-wasm'`
 * @example
 * const ops = createTfjsTensorOps(tf, 'tfjs-cpu');
 * await ops.dot(ops.fromArray(Float32Array.of(1, 2), [2]), ops.fromArray(Float32Array.of(3, 4), [2])); // 11
 */
export function createTfjsTensorOps(tf: TensorFlow, backend: string): TensorOps<Tensor> {
  const binary = (what: string, f: (a: Tensor, b: Tensor) => Tensor) => (a: Tensor, b: Tensor) => {
    sameShape(what, a, b);
    return tf.tidy(() => f(a, b));
  };
  const reduce = async (f: () => Tensor): Promise<number> => {
    const scalar = tf.tidy(f);
    try {
      return (await scalar.data())[0] as number;
    } finally {
      scalar.dispose();
    }
  };
  return {
    specificationVersion: 'abs-tensor-ops-v1',
    backend,
    // Copies: some backends (cpu, webgl) keep a reference to the array they are given.
    fromArray: (data, shape) => tf.tensor(Float32Array.from(data), [...shape], 'float32'),
    read: readFloat32,
    shape: (x) => x.shape,
    isTensor: (value): value is Tensor => value instanceof tf.Tensor,
    dispose: (x) => x.dispose(),
    clone: (x) => tf.clone(x),
    zerosLike: (x) => tf.zerosLike(x),
    fullLike: (x, value) => tf.fill(x.shape, value, 'float32'),
    add: binary('add', (a, b) => tf.add(a, b)),
    sub: binary('sub', (a, b) => tf.sub(a, b)),
    mul: binary('mul', (a, b) => tf.mul(a, b)),
    div: binary('div', (a, b) => tf.div(a, b)),
    scale: (x, s) => tf.tidy(() => tf.mul(x, s)),
    addScalar: (x, s) => tf.tidy(() => tf.add(x, s)),
    axpby(alpha, x, beta, y) {
      sameShape('axpby', x, y);
      return tf.tidy(() => {
        // The unit-coefficient forms (sgd's θ − η·g) save a full-size multiply; 1·x is exact.
        if (alpha === 1) return tf.add(x, tf.mul(y, beta));
        if (beta === 1) return tf.add(tf.mul(x, alpha), y);
        return tf.add(tf.mul(x, alpha), tf.mul(y, beta));
      });
    },
    square: (x) => tf.square(x),
    sqrt: (x) => tf.sqrt(x),
    sum: (x) => reduce(() => tf.sum(x)),
    dot(a, b) {
      sameShape('dot', a, b);
      return reduce(() => tf.sum(tf.mul(a, b)));
    },
  };
}
