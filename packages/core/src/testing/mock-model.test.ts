import { describe, expect, it } from 'vitest';
import { UnsupportedCapabilityError } from '../errors/unsupported-capability-error';
import { createMockModel } from './mock-model';

// ℓ_i(w) = ½(w − y_i)² in two dimensions, so g_i = w − y_i.
const y = [
  [1, 2],
  [-3, 0],
  [0.5, 4],
];
const options = {
  shapes: [[2]],
  initial: [Float32Array.from([1, -1])],
  size: 3,
  perExample: (i: number, [w]: readonly Float64Array[]) => {
    const r = (y[i] as number[]).map((v, j) => (w?.[j] as number) - v);
    return { loss: 0.5 * r.reduce((s, v) => s + v * v, 0), gradient: [r] };
  },
};

describe('createMockModel', () => {
  it('per-example squared gradient norms by the definition', async () => {
    const model = createMockModel(options);
    const { perExampleGradientNormSquared } = await model.evaluate([0, 1, 2], { perExampleGradientNormSquared: true });
    // g = (0, −3), (4, −1), (0.5, −5)
    expect(perExampleGradientNormSquared?.map((a) => Array.from(a))).toEqual([[9, 17, 25.25]]);
  });

  it('offers only the capabilities it is given, and refuses requests outside them', async () => {
    const model = createMockModel({ ...options, capabilities: ['loss', 'gradient'] });
    expect([...model.capabilities]).toEqual(['loss', 'gradient']);
    expect((await model.evaluate([0], { gradient: true })).gradient).toHaveLength(1);
    const error = await model.evaluate([0], { secondMoment: true }).catch((e: unknown) => e);
    expect(UnsupportedCapabilityError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe("backend 'mock' does not support capability 'secondMoment'");
    await expect(model.evaluate([0], { perExampleGradientNormSquared: true })).rejects.toThrow(
      "capability 'perExampleGradientNormSquared'",
    );
  });
});
