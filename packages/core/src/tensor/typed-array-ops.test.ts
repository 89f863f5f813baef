import { describe, expect, it } from 'vitest';
import { composeScaleByAdam } from '../optim/scale-by-adam';
import { createRng } from '../random/rng';
import { createHostTensorOps, type HostTensor, hostTensor } from './typed-array-ops';

describe('createHostTensorOps', () => {
  const ops = createHostTensorOps('js');

  it('rejects operands of different sizes, naming the operation and both shapes', () => {
    const a = ops.fromArray(new Float32Array(6), [2, 3]);
    const c = ops.fromArray(new Float32Array(3), [3]);
    for (const name of ['add', 'sub', 'mul', 'div'] as const) {
      expect(() => ops[name](a, c)).toThrow(`${name}: expected shape [2, 3], got [3]`);
    }
    expect(() => ops.axpby(1, a, 1, c)).toThrow('axpby: expected shape [2, 3], got [3]');
    expect(() => hostTensor(new Float32Array(5), [2, 3])).toThrow('hostTensor data: expected shape [6], got [5]');
  });

  it('axpby handles lengths that are not a multiple of its 4-way unrolling', () => {
    for (const n of [1, 3, 4, 7]) {
      const x = ops.fromArray(
        Float32Array.from({ length: n }, (_, i) => i + 1),
        [n],
      );
      const y = ops.fromArray(new Float32Array(n).fill(1), [n]);
      // 2·(i+1) − 1
      expect(Array.from(ops.axpby(2, x, -1, y).data)).toEqual(Array.from({ length: n }, (_, i) => 2 * i + 1));
    }
  });

  it('reduces in float64: a float32 running sum of 1 + 1e-8·k would lose every small term', async () => {
    const values = new Float32Array(1001).fill(1e-8);
    values[0] = 1;
    expect(await ops.sum(ops.fromArray(values, [1001]))).toBeCloseTo(1 + 1e-5, 12);
  });

  it('fused scaleByAdam is bit-identical to its composition from the elementwise operations', () => {
    const rng = createRng(7);
    const n = 1037;
    const random = (scale: number) =>
      ops.fromArray(
        Float32Array.from({ length: n }, () => (rng.nextFloat() - 0.5) * scale),
        [n],
      );
    const fused = ops.scaleByAdam;
    expect(fused).toBeDefined();
    let m = ops.zerosLike(random(1));
    let v = ops.zerosLike(m);
    for (let step = 1; step <= 5; step++) {
      // gradients from 1e-6 to 1e3 in size, so ε and the bias corrections matter
      const gradient = random(10 ** (step - 3) * 2);
      const c1 = 1 - 0.9 ** step;
      const input = {
        gradient,
        m,
        v,
        beta1: 0.9,
        beta2: 0.999,
        rootScale: c1 / Math.sqrt(1 - 0.999 ** step),
        shift: 1e-8 * c1,
      };
      const a = fused!.call(ops, input);
      const b = composeScaleByAdam(ops, input);
      expect(a.m.data).toEqual(b.m.data);
      expect(a.v.data).toEqual(b.v.data);
      expect(a.direction.data).toEqual(b.direction.data);
      expect(a.direction.data.some((x, i) => x !== 0 && x !== a.m.data[i])).toBe(true);
      ({ m, v } = a);
    }
    const short = ops.fromArray(new Float32Array(3), [3]);
    expect(() =>
      fused!.call(ops, { gradient: m, m: short, v, beta1: 0.9, beta2: 0.999, rootScale: 1, shift: 0 }),
    ).toThrow('scaleByAdam m: expected shape [1037], got [3]');
  });

  describe('the line-search kernels are bit-identical to their compositions', () => {
    const rng = createRng(11);
    const bits = (x: { data: Float32Array }) => Array.from(new Uint32Array(x.data.buffer));
    // Random values from 1e-6 to 1e3 in size with −0 and 0, at a length that is not a multiple of four;
    // `extreme` adds values near float32's maximum, `special` ±∞ and NaN (each makes some sums non-finite).
    const random = (n = 1037) => {
      const data = Float32Array.from({ length: n }, () => (rng.nextFloat() - 0.5) * 10 ** (rng.nextFloat() * 9 - 6));
      if (n > 11) data.set([-0, 0], 7);
      return ops.fromArray(data, [n]);
    };
    const extreme = () => {
      const x = random();
      x.data.set([3e38, -3e38], 50);
      return x;
    };
    const special = () => {
      const x = random();
      x.data.set([Number.POSITIVE_INFINITY, Number.NaN, Number.NEGATIVE_INFINITY], 100);
      return x;
    };
    // The composition each kernel must match: u = scale(direction, c), unless c is 1.
    const direction = (line: { direction: HostTensor; directionScale: number }) =>
      line.directionScale === 1 ? line.direction : ops.scale(line.direction, line.directionScale);
    const lines = () => [
      { origin: random(), direction: random(), directionScale: -1 / 37.5, distance: 1.77e-4 },
      { origin: random(), direction: random(), directionScale: 1, distance: -0.37 },
      { origin: random(), direction: random(), directionScale: -3, distance: 2.5 },
      { origin: random(), direction: random(), directionScale: 1e-3, distance: 1e9 },
      { origin: extreme(), direction: extreme(), directionScale: 0.7, distance: 1 },
      { origin: special(), direction: random(), directionScale: 0.5, distance: 0.1 },
      { origin: random(), direction: special(), directionScale: -2, distance: 1 },
      { origin: random(), direction: random(), directionScale: -0, distance: 10 },
    ];

    it('probeLine: axpby(1, origin, t, u), dot(sub(point, origin), u) and dot(u, u)', async () => {
      for (const { distance, ...line } of lines()) {
        const fused = await ops.probeLine!(line, distance);
        const u = direction(line);
        const point = ops.axpby(1, line.origin, distance, u);
        expect(bits(fused.point)).toEqual(bits(point));
        expect(Object.is(fused.travelled, await ops.dot(ops.sub(point, line.origin), u))).toBe(true);
        expect(Object.is(fused.directionDot, await ops.dot(u, u))).toBe(true);
      }
      // The rounding the kernel must keep: at a small t the float32 point moves by other than t·⟨u, u⟩.
      const line = { origin: random(), direction: random(), directionScale: 1 };
      const { travelled, directionDot } = await ops.probeLine!(line, 1.77e-4);
      expect(travelled).not.toBe(1.77e-4 * directionDot);
      const short = { ...line, direction: random(9) };
      await expect(ops.probeLine!(short, 1)).rejects.toThrow('probeLine: expected shape [1037], got [9]');
    });

    it('moveAlongLine: axpby(1, origin, t, u) and sum(point), not finite iff the point is not', async () => {
      for (const { distance, ...line } of lines()) {
        const fused = await ops.moveAlongLine!(line, distance);
        const point = ops.axpby(1, line.origin, distance, direction(line));
        expect(bits(fused.point)).toEqual(bits(point));
        expect(Object.is(fused.sum, await ops.sum(point))).toBe(true);
        expect(Number.isFinite(fused.sum)).toBe(fused.point.data.every(Number.isFinite));
      }
      const short = { origin: random(), direction: random(9), directionScale: 1 };
      await expect(ops.moveAlongLine!(short, 1)).rejects.toThrow('moveAlongLine: expected shape [1037], got [9]');
    });
  });
});
