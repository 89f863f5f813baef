import { adam, createHostTensorOps, type HostTensor, momentum } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { adamHd } from './adam-hd';
import { isHypergradientOptimizer } from './hypergradient-optimizer';
import { sgdHd } from './sgd-hd';

const ops = createHostTensorOps();
const t = (...v: number[]) => ops.fromArray(Float32Array.from(v), [v.length]);
const values = (x: HostTensor | undefined) => Array.from(x?.data ?? []);

describe('A6. SGD-HD', () => {
  it('lr = 0.1, β_hd = 1e-3, g = [1, 2], u = [0.5, −1]: new lr = 0.1 + 1e-3·(−1.5) = 0.0985', async () => {
    const opt = sgdHd({ learningRate: 0.1, hypergradientBeta: 1e-3, momentum: 0.9 });
    const state = { step: 3, learningRate: 0.1, slots: { momentum: [t(0.5, -1)] } };
    const lr = await opt.adaptLearningRate(ops, { gradient: [t(1, 2)], parameters: [t(0, 0)], state });
    expect(lr).toBeCloseTo(0.0985, 12);
    // Then the momentum step: buf = 0.9·[0.5, −1] + [1, 2] = [1.45, 1.1]; θ = −0.0985·buf.
    const out = opt.update(ops, { gradient: [t(1, 2)], parameters: [t(0, 0)], state, learningRate: lr });
    expect(values(out.state.slots.momentum?.[0])).toEqual([Math.fround(1.45), Math.fround(1.1)]);
    expect(values(out.parameters[0])[0]).toBeCloseTo(-0.0985 * 1.45, 6);
    expect(out.state).toMatchObject({ step: 4, learningRate: lr });
  });

  it('u_0 = 0 keeps the first learning rate; g_t includes the weight-decay term', async () => {
    const opt = sgdHd({ learningRate: 0.1, hypergradientBeta: 1, weightDecay: 0.5 });
    const state = opt.init(ops, [t(2)]);
    expect(await opt.adaptLearningRate(ops, { gradient: [t(1)], parameters: [t(2)], state })).toBe(0.1);
    // ⟨g + λθ, u⟩ = (1 + 0.5·2)·3 = 6
    const later = { ...state, slots: { momentum: [t(3)] } };
    expect(await opt.adaptLearningRate(ops, { gradient: [t(1)], parameters: [t(2)], state: later })).toBeCloseTo(
      6.1,
      6,
    );
  });

  it('equals core momentum when the learning rate is left alone', () => {
    const base = momentum({ learningRate: 0.1, momentum: 0.9, weightDecay: 0.01 });
    const hd = sgdHd({ learningRate: 0.1, hypergradientBeta: 1e-3, momentum: 0.9, weightDecay: 0.01 });
    const input = (o: typeof base) => ({
      gradient: [t(1, -2)],
      parameters: [t(0.5, 1)],
      state: o.init(ops, [t(0.5, 1)]),
    });
    expect(values(hd.update(ops, input(hd)).parameters[0])).toEqual(
      values(base.update(ops, input(base)).parameters[0]),
    );
  });
});

describe('Adam-HD', () => {
  it('uses the bias-corrected Adam direction of the previous step', async () => {
    const opt = adamHd({ learningRate: 1e-3, hypergradientBeta: 1e-3 });
    const first = opt.update(ops, { gradient: [t(1, -2)], parameters: [t(0, 0)], state: opt.init(ops, [t(0, 0)]) });
    // t = 1: m̂ = g, v̂ = g², so u_1 = g/(|g| + ε) ≈ [1, −1], and θ = −1e-3·u_1.
    const u = values(first.state.slots.direction?.[0]);
    expect(u[0]).toBeCloseTo(1, 6);
    expect(u[1]).toBeCloseTo(-1, 6);
    // η_2 = 1e-3 + 1e-3·⟨[3, 1], [1, −1]⟩ = 1e-3 + 2e-3 = 3e-3
    const lr = await opt.adaptLearningRate(ops, {
      gradient: [t(3, 1)],
      parameters: first.parameters,
      state: first.state,
    });
    expect(lr).toBeCloseTo(3e-3, 8);
  });

  it('equals core adam when the learning rate is left alone', () => {
    const base = adam({ learningRate: 1e-2, weightDecay: 0.1 });
    const hd = adamHd({ learningRate: 1e-2, hypergradientBeta: 1, weightDecay: 0.1 });
    const p = [t(0.5, -1)];
    const g = [t(0.2, 3)];
    const a = base.update(ops, { gradient: g, parameters: p, state: base.init(ops, p) });
    const b = hd.update(ops, { gradient: g, parameters: p, state: hd.init(ops, p) });
    expect(values(b.parameters[0])).toEqual(values(a.parameters[0]));
  });

  it('are recognised as hypergradient optimisers; core ones are not', () => {
    expect(isHypergradientOptimizer(adamHd({ hypergradientBeta: 1 }))).toBe(true);
    expect(isHypergradientOptimizer(sgdHd({ learningRate: 1, hypergradientBeta: 1 }))).toBe(true);
    expect(isHypergradientOptimizer(adam())).toBe(false);
  });

  it.each([
    [
      () => sgdHd({ learningRate: 0.1, hypergradientBeta: 0 }),
      'sgdHd: hypergradientBeta must be a finite number > 0, got 0',
    ],
    [
      () => sgdHd({ learningRate: -1, hypergradientBeta: 1 }),
      'sgdHd: learningRate must be a finite number > 0, got -1',
    ],
    [
      () => sgdHd({ learningRate: 0.1, hypergradientBeta: 1, momentum: 1 }),
      'sgdHd: momentum must be a finite number in [0, 1), got 1',
    ],
    [
      () => sgdHd({ learningRate: 0.1, hypergradientBeta: 1, weightDecay: -1 }),
      'sgdHd: weightDecay must be a finite number ≥ 0, got -1',
    ],
    [() => adamHd({ hypergradientBeta: Number.NaN }), 'adamHd: hypergradientBeta must be a finite number > 0, got NaN'],
    [
      () => adamHd({ hypergradientBeta: 1, learningRate: 0 }),
      'adamHd: learningRate must be a finite number > 0, got 0',
    ],
    [() => adamHd({ hypergradientBeta: 1, beta1: 1 }), 'adamHd: beta1 must be a finite number in [0, 1), got 1'],
    [() => adamHd({ hypergradientBeta: 1, beta2: -0.1 }), 'adamHd: beta2 must be a finite number in [0, 1), got -0.1'],
    [() => adamHd({ hypergradientBeta: 1, epsilon: 0 }), 'adamHd: epsilon must be a finite number > 0, got 0'],
    [
      () => adamHd({ hypergradientBeta: 1, weightDecay: -1 }),
      'adamHd: weightDecay must be a finite number ≥ 0, got -1',
    ],
  ])('rejects bad options %#', (make, message) => {
    expect(make).toThrow(message);
  });
});
