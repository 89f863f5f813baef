/**
 * `TensorOps` over plain Float32Arrays with float64 accumulation in reductions. Shared by
 * the reference backend (`@abs/backend-js`), by backends whose parameters live in host
 * memory (`@abs/backend-onnx`) and by the test mock, so it lives beside the contract.
 */
import { ShapeMismatchError } from '../errors/shape-mismatch-error';
import type { TensorOps } from './tensor-ops';

/** A host tensor: float32 data in row-major order and its shape. */
export interface HostTensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

const tag = Symbol.for('abs.HostTensor');

/** Wraps data and shape into a `HostTensor` (no copy). */
export function hostTensor(data: Float32Array, shape: readonly number[]): HostTensor {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) {
    throw new ShapeMismatchError({ what: 'hostTensor data', expected: [size], actual: [data.length] });
  }
  return { data, shape: [...shape], [tag]: true } as HostTensor;
}

function same(what: string, a: HostTensor, b: HostTensor): void {
  if (a.data.length !== b.data.length) {
    throw new ShapeMismatchError({ what, expected: a.shape, actual: b.shape });
  }
}

function map1(x: HostTensor, f: (v: number) => number): HostTensor {
  const out = new Float32Array(x.data.length);
  const d = x.data;
  for (let i = 0; i < d.length; i++) out[i] = f(d[i] as number);
  return hostTensor(out, x.shape);
}

function map2(what: string, a: HostTensor, b: HostTensor, f: (x: number, y: number) => number): HostTensor {
  same(what, a, b);
  const out = new Float32Array(a.data.length);
  const x = a.data;
  const y = b.data;
  for (let i = 0; i < x.length; i++) out[i] = f(x[i] as number, y[i] as number);
  return hostTensor(out, a.shape);
}

/** Creates the typed-array `TensorOps`; `backend` names it in error messages. */
export function createHostTensorOps(backend = 'js'): TensorOps<HostTensor> {
  return {
    specificationVersion: 'abs-tensor-ops-v1',
    backend,
    fromArray: (data, shape) => hostTensor(Float32Array.from(data), shape),
    read: async (x) => Float32Array.from(x.data),
    shape: (x) => x.shape,
    isTensor: (value): value is HostTensor =>
      typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[tag] === true,
    dispose: () => {},
    clone: (x) => hostTensor(Float32Array.from(x.data), x.shape),
    zerosLike: (x) => hostTensor(new Float32Array(x.data.length), x.shape),
    fullLike: (x, value) => hostTensor(new Float32Array(x.data.length).fill(value), x.shape),
    add: (a, b) => map2('add', a, b, (x, y) => x + y),
    sub: (a, b) => map2('sub', a, b, (x, y) => x - y),
    mul: (a, b) => map2('mul', a, b, (x, y) => x * y),
    div: (a, b) => map2('div', a, b, (x, y) => x / y),
    scale: (x, s) => map1(x, (v) => v * s),
    addScalar: (x, s) => map1(x, (v) => v + s),
    axpby: (alpha, x, beta, y) => map2('axpby', x, y, (u, v) => alpha * u + beta * v),
    square: (x) => map1(x, (v) => v * v),
    sqrt: (x) => map1(x, Math.sqrt),
    sum: async (x) => {
      let s = 0;
      const d = x.data;
      for (let i = 0; i < d.length; i++) s += d[i] as number;
      return s;
    },
    dot: async (a, b) => {
      same('dot', a, b);
      let s = 0;
      const x = a.data;
      const y = b.data;
      for (let i = 0; i < x.length; i++) s += (x[i] as number) * (y[i] as number);
      return s;
    },
  };
}
