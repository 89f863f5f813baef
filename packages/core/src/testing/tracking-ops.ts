/**
 * Host `TensorOps` that count live tensors, so a test can assert that a function disposes
 * every temporary it creates — the property that matters on TensorFlow.js, checked without it.
 */

import type { TensorOps } from '../tensor/tensor-ops';
import { createHostTensorOps, type HostTensor } from '../tensor/typed-array-ops';

export interface TrackingOps extends TensorOps<HostTensor> {
  /** Tensors created through these ops and not yet disposed. */
  live(): number;
}

/**
 * @example
 * const ops = createTrackingOps();
 * const t = ops.square(ops.fromArray(Float32Array.from([2]), [1])); // 2 live
 * ops.live(); // 2
 */
export function createTrackingOps(): TrackingOps {
  const base = createHostTensorOps('tracking');
  const alive = new Set<HostTensor>();
  const track =
    <A extends unknown[]>(f: (...args: A) => HostTensor) =>
    (...args: A) => {
      const out = f(...args);
      alive.add(out);
      return out;
    };
  return {
    ...base,
    fromArray: track(base.fromArray),
    clone: track(base.clone),
    zerosLike: track(base.zerosLike),
    fullLike: track(base.fullLike),
    add: track(base.add),
    sub: track(base.sub),
    mul: track(base.mul),
    div: track(base.div),
    scale: track(base.scale),
    addScalar: track(base.addScalar),
    axpby: track(base.axpby),
    square: track(base.square),
    sqrt: track(base.sqrt),
    dispose: (x) => {
      alive.delete(x);
    },
    live: () => alive.size,
  };
}
