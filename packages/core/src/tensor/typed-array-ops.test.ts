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

  it('reduces in float64: a float32 running sum of 1 + 1e-8·k would lose every small term', async () => {
    const values = new Float32Array(1001).fill(1e-8);
    values[0] = 1;
    expect(await ops.sum(ops.fromArray(values, [1001]))).toBeCloseTo(1 + 1e-5, 12);
  });
});
