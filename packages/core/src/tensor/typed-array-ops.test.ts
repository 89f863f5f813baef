import { describe, expect, it } from 'vitest';
import { composeScaleByAdam } from '../optim/scale-by-adam';
import { createRng } from '../random/rng';
import { createHostTensorOps, hostTensor } from './typed-array-ops';

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
});
