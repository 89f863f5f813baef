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

// Each elementwise operation has its own loop: a shared `map(f)` helper makes its callback
// call site megamorphic once several operations run, which measured 6–9× slower on a
// 407k-parameter optimiser update (V8, Node 20).

function binary(what: string, a: HostTensor, b: HostTensor): [Float32Array, Float32Array, Float32Array] {
  same(what, a, b);
  return [a.data, b.data, new Float32Array(a.data.length)];
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
    add(a, b) {
      const [x, y, out] = binary('add', a, b);
      for (let i = 0; i < out.length; i++) out[i] = (x[i] as number) + (y[i] as number);
      return hostTensor(out, a.shape);
    },
    sub(a, b) {
      const [x, y, out] = binary('sub', a, b);
      for (let i = 0; i < out.length; i++) out[i] = (x[i] as number) - (y[i] as number);
      return hostTensor(out, a.shape);
    },
    mul(a, b) {
      const [x, y, out] = binary('mul', a, b);
      for (let i = 0; i < out.length; i++) out[i] = (x[i] as number) * (y[i] as number);
      return hostTensor(out, a.shape);
    },
    div(a, b) {
      const [x, y, out] = binary('div', a, b);
      for (let i = 0; i < out.length; i++) out[i] = (x[i] as number) / (y[i] as number);
      return hostTensor(out, a.shape);
    },
    scale(a, s) {
      const x = a.data;
      const out = new Float32Array(x.length);
      for (let i = 0; i < out.length; i++) out[i] = (x[i] as number) * s;
      return hostTensor(out, a.shape);
    },
    addScalar(a, s) {
      const x = a.data;
      const out = new Float32Array(x.length);
      for (let i = 0; i < out.length; i++) out[i] = (x[i] as number) + s;
      return hostTensor(out, a.shape);
    },
    axpby(alpha, a, beta, b) {
      const [x, y, out] = binary('axpby', a, b);
      const n = out.length;
      let i = 0;
      // Unrolled by four: the optimiser's hot loop; 0.86 ms vs 1.2–1.4 ms over 407k floats (V8, Node 20).
      for (; i + 3 < n; i += 4) {
        out[i] = alpha * (x[i] as number) + beta * (y[i] as number);
        out[i + 1] = alpha * (x[i + 1] as number) + beta * (y[i + 1] as number);
        out[i + 2] = alpha * (x[i + 2] as number) + beta * (y[i + 2] as number);
        out[i + 3] = alpha * (x[i + 3] as number) + beta * (y[i + 3] as number);
      }
      for (; i < n; i++) out[i] = alpha * (x[i] as number) + beta * (y[i] as number);
      return hostTensor(out, a.shape);
    },
    square(a) {
      const x = a.data;
      const out = new Float32Array(x.length);
      for (let i = 0; i < out.length; i++) out[i] = (x[i] as number) * (x[i] as number);
      return hostTensor(out, a.shape);
    },
    sqrt(a) {
      const x = a.data;
      const out = new Float32Array(x.length);
      for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(x[i] as number);
      return hostTensor(out, a.shape);
    },
    sum: async (x) => {
      let s = 0;
      const d = x.data;
      for (let i = 0; i < d.length; i++) s += d[i] as number;
      return s;
    },
    scaleByAdam({ gradient, m: m0, v: v0, beta1, beta2, rootScale, shift }) {
      same('scaleByAdam m', gradient, m0);
      same('scaleByAdam v', gradient, v0);
      const g = gradient.data;
      const mIn = m0.data;
      const vIn = v0.data;
      const n = g.length;
      const m = new Float32Array(n);
      const v = new Float32Array(n);
      const direction = new Float32Array(n);
      const fround = Math.fround;
      const c1 = 1 - beta1;
      const c2 = 1 - beta2;
      // One pass; every intermediate is rounded to float32 where the composed form stores it,
      // so the result is bit-identical to composeScaleByAdam; 4.5 ms vs 9 ms composed over 407k floats.
      for (let i = 0; i < n; i++) {
        const gi = g[i] as number;
        const mi = fround(beta1 * (mIn[i] as number) + c1 * gi);
        const vi = fround(beta2 * (vIn[i] as number) + c2 * fround(gi * gi));
        m[i] = mi;
        v[i] = vi;
        direction[i] = mi / fround(fround(fround(Math.sqrt(vi)) * rootScale) + shift);
      }
      return { m: hostTensor(m, m0.shape), v: hostTensor(v, v0.shape), direction: hostTensor(direction, m0.shape) };
    },
    async probeLine({ origin, direction, directionScale: c }, distance) {
      const [x, d, out] = binary('probeLine', origin, direction);
      const fround = Math.fround;
      let travelled = 0;
      let directionDot = 0;
      // One pass; u and θ + t·u are rounded to float32 where the composition stores them (1·θ is θ).
      for (let i = 0; i < out.length; i++) {
        const theta = x[i] as number;
        const u = fround(c * (d[i] as number));
        const point = fround(theta + distance * u);
        out[i] = point;
        travelled += fround(point - theta) * u;
        directionDot += u * u;
      }
      return { point: hostTensor(out, origin.shape), travelled, directionDot };
    },
    async moveAlongLine({ origin, direction, directionScale: c }, distance) {
      const [x, d, out] = binary('moveAlongLine', origin, direction);
      const fround = Math.fround;
      let sum = 0;
      for (let i = 0; i < out.length; i++) {
        const point = fround((x[i] as number) + distance * fround(c * (d[i] as number)));
        out[i] = point;
        sum += point;
      }
      return { point: hostTensor(out, origin.shape), sum };
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
