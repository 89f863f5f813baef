import { describe, expect, it } from 'vitest';
import { createHostTensorOps, type HostTensor } from '../tensor/typed-array-ops';
import { decodeState, disposeState, encodeState } from './state-codec';

describe('encodeState / decodeState', () => {
  it('round-trips nested state with tensors, typed arrays and non-finite numbers bit-exactly', async () => {
    const ops = createHostTensorOps();
    const tricky = Float32Array.from([0.1, -0, 3.4028234663852886e38, 1e-45]);
    const state = {
      step: 3,
      name: 'x',
      flag: true,
      nothing: null,
      lossAvg: Number.NaN,
      big: Number.POSITIVE_INFINITY,
      list: [1, [2, 3]],
      tensor: ops.fromArray(tricky, [2, 2]),
      f64: Float64Array.from([Math.PI, 1 / 3]),
      i32: Int32Array.from([-1, 7]),
      nested: { buffers: [ops.fromArray(Float32Array.from([5]), [1])] },
    };
    const json = JSON.parse(JSON.stringify(await encodeState(ops, state)));
    const back = decodeState(ops, json) as typeof state;
    expect(back.step).toBe(3);
    expect(back.lossAvg).toBeNaN();
    expect(back.big).toBe(Number.POSITIVE_INFINITY);
    expect(back.list).toEqual([1, [2, 3]]);
    expect(ops.isTensor(back.tensor)).toBe(true);
    expect((back.tensor as HostTensor).shape).toEqual([2, 2]);
    expect(Object.is((back.tensor as HostTensor).data[1], -0)).toBe(true);
    expect(Array.from((back.tensor as HostTensor).data)).toEqual(Array.from(tricky));
    expect(back.f64).toBeInstanceOf(Float64Array);
    expect(Array.from(back.f64)).toEqual([Math.PI, 1 / 3]);
    expect(Array.from(back.i32)).toEqual([-1, 7]);
    expect(Array.from((back.nested.buffers[0] as HostTensor).data)).toEqual([5]);
    expect(back.nothing).toBeNull();
  });

  it('disposes every tensor in a tree', () => {
    const base = createHostTensorOps();
    const disposed: unknown[] = [];
    const ops = { ...base, dispose: (x: HostTensor) => disposed.push(x) };
    const a = ops.fromArray(new Float32Array(1), [1]);
    const b = ops.fromArray(new Float32Array(1), [1]);
    disposeState(ops, { a, deep: [{ b }], f: new Float64Array(2), n: 1 });
    expect(disposed).toEqual([a, b]);
  });

  it('rejects values it cannot serialise', async () => {
    await expect(encodeState(createHostTensorOps(), { f: () => 1 })).rejects.toThrow(
      'encodeState: cannot serialise a value of type function',
    );
  });
});
