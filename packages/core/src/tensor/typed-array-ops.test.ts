import { describe, expect, it } from 'vitest';
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
});
