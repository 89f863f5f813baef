import { hostTensor } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { loadTfjs } from './test-support/load-tfjs';
import { createTfjsTensorOps } from './tfjs-tensor-ops';

const tf = await loadTfjs('cpu');
const ops = createTfjsTensorOps(tf, 'tfjs-cpu');

describe('createTfjsTensorOps', () => {
  it('makes exactly one tensor per operation and leaves its inputs alone', async () => {
    const x = ops.fromArray(Float32Array.of(1, -2, 4), [3]);
    const y = ops.fromArray(Float32Array.of(0.5, 2, -1), [3]);
    // axpby(2, x, 1, y) = 2x + y = [2.5, −2, 7]; axpby(1, x, −0.5, y) = x − y/2 = [0.75, −3, 4.5].
    const cases: [() => ReturnType<typeof ops.add>, number[]][] = [
      [() => ops.axpby(2, x, 1, y), [2.5, -2, 7]],
      [() => ops.axpby(1, x, -0.5, y), [0.75, -3, 4.5]],
      [() => ops.axpby(-1, x, 3, y), [0.5, 8, -7]],
      [() => ops.scale(x, 0.5), [0.5, -1, 2]],
      [() => ops.addScalar(x, 1), [2, -1, 5]],
    ];
    for (const [run, expected] of cases) {
      const before = tf.memory().numTensors;
      const out = run();
      expect(tf.memory().numTensors - before, 'one new tensor, no stray scalars').toBe(1);
      expect(Array.from(await ops.read(out))).toEqual(expected);
      ops.dispose(out);
    }
    const before = tf.memory().numTensors;
    expect(await ops.dot(x, y)).toBe(-7.5); // 0.5 − 4 − 4
    expect(await ops.sum(x)).toBe(3);
    expect(tf.memory().numTensors, 'reductions free their scalar').toBe(before);
    expect(Array.from(await ops.read(x))).toEqual([1, -2, 4]);
    tf.dispose([x, y]);
  });

  it('copies on upload and on read, so callers may reuse their arrays', async () => {
    const source = Float32Array.of(1, 2);
    const t = ops.fromArray(source, [2]);
    source[0] = 9;
    const values = await ops.read(t);
    values[1] = 9;
    expect(Array.from(await ops.read(t))).toEqual([1, 2]);
    ops.dispose(t);
  });

  it('recognises its own tensors only', () => {
    const t = tf.zeros([1]);
    expect(ops.isTensor(t)).toBe(true);
    expect(ops.isTensor(hostTensor(new Float32Array(1), [1]))).toBe(false);
    expect(ops.isTensor({ shape: [1] })).toBe(false);
    t.dispose();
  });

  it('rejects operands of different shapes instead of broadcasting', () => {
    const a = tf.zeros([2]);
    const b = tf.zeros([3]);
    expect(() => ops.add(a, b)).toThrow('add: expected shape [2], got [3]');
    expect(() => ops.axpby(1, a, 1, b)).toThrow('axpby: expected shape [2], got [3]');
    expect(() => ops.dot(a, b)).toThrow('dot: expected shape [2], got [3]');
    tf.dispose([a, b]);
  });
});
