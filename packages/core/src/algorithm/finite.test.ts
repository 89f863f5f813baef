import { describe, expect, it } from 'vitest';
import { NonFiniteError } from '../errors/non-finite-error';
import { createTrackingOps } from '../testing/tracking-ops';
import { assertFiniteUpdate } from './finite';

describe('assertFiniteUpdate', () => {
  const ops = createTrackingOps();
  const model = {
    ops,
    parameterInfo: [
      { name: 'dense0/weight', shape: [2], layer: 0, role: 'weight' as const },
      { name: 'dense0/bias', shape: [1], layer: 0, role: 'bias' as const },
    ],
  };

  it('passes a finite proposal and frees nothing', async () => {
    const next = [ops.fromArray(Float32Array.of(1, -2), [2]), ops.fromArray(Float32Array.of(3e38), [1])];
    await assertFiniteUpdate(model, next, { step: 4, discard: next });
    expect(ops.live()).toBe(2);
    for (const t of next) ops.dispose(t);
  });

  it('names the first non-finite parameter and the step, and frees what it is told to discard', async () => {
    const next = [ops.fromArray(Float32Array.of(1, 2), [2]), ops.fromArray(Float32Array.of(-Infinity), [1])];
    const buffers = { momentum: [ops.zerosLike(next[0] as (typeof next)[number])] };
    const error = await assertFiniteUpdate(model, next, { step: 7, discard: { next, buffers } }).catch(
      (e: unknown) => e,
    );
    expect(NonFiniteError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('parameters[dense0/bias] is -Infinity at step 7');
    expect(ops.live()).toBe(0);
  });
});
