import { describe, expect, it } from 'vitest';
import { createHostTensorOps, type HostTensor } from '../tensor/typed-array-ops';
import { adam } from './adam';
import { momentum } from './momentum';
import type { Optimizer } from './optimizer';
import { sgd } from './sgd';

const ops = createHostTensorOps();
const t = (...v: number[]) => ops.fromArray(Float32Array.from(v), [v.length]);

/** Applies `gradients` in turn from θ0 and returns θ after each update. */
function run(optimizer: Optimizer, theta0: number[], gradients: number[][]): number[][] {
  let params: HostTensor[] = [t(...theta0)];
  let state = optimizer.init(ops, params);
  return gradients.map((g) => {
    const next = optimizer.update(ops, { gradient: [t(...g)], parameters: params, state });
    params = next.parameters;
    state = next.state;
    return Array.from(params[0]?.data ?? []);
  });
}

describe('sgd', () => {
  it('θ ← θ − η(g + λθ)', () => {
    // 1 − 0.1·2 = 0.8; with λ = 0.5: 1 − 0.1·(2 + 0.5) = 0.75.
    expect(run(sgd({ learningRate: 0.1 }), [1], [[2]])[0]?.[0]).toBeCloseTo(0.8, 7);
    expect(run(sgd({ learningRate: 0.1, weightDecay: 0.5 }), [1], [[2]])[0]?.[0]).toBeCloseTo(0.75, 7);
  });
  it('honours a per-call learning rate and records it in the state', () => {
    const opt = sgd({ learningRate: 0.1 });
    const out = opt.update(ops, {
      gradient: [t(1)],
      parameters: [t(1)],
      state: opt.init(ops, [t(1)]),
      learningRate: 0.5,
    });
    expect(out.parameters[0]?.data[0]).toBe(0.5);
    expect(out.state).toMatchObject({ step: 1, learningRate: 0.5 });
  });
});

describe('momentum', () => {
  it('heavy-ball: buf = 1 then 1.9; θ = 0.9 then 0.71', () => {
    const [a, b] = run(momentum({ learningRate: 0.1, momentum: 0.9 }), [1], [[1], [1]]);
    expect(a?.[0]).toBeCloseTo(0.9, 6);
    expect(b?.[0]).toBeCloseTo(0.71, 6);
  });
  it('Nesterov: θ −= η(g + μ·buf): 1 − 0.19 = 0.81, then 0.81 − 0.1·(1 + 0.9·1.9) = 0.539', () => {
    const [a, b] = run(momentum({ learningRate: 0.1, momentum: 0.9, nesterov: true }), [1], [[1], [1]]);
    expect(a?.[0]).toBeCloseTo(0.81, 6);
    expect(b?.[0]).toBeCloseTo(0.539, 6);
  });
});

describe('adam', () => {
  it('bias correction makes the first steps η·g/(|g| + ε) for a constant gradient', () => {
    // t = 1: m̂ = g, v̂ = g² → step η·5/(5 + 1e-8); t = 2: m = 0.95, m̂ = 0.95/0.19 = 5, v̂ = 25 → same step.
    const [a, b] = run(adam({ learningRate: 1e-3 }), [1], [[5], [5]]);
    expect(a?.[0]).toBeCloseTo(1 - 1e-3, 6);
    expect(b?.[0]).toBeCloseTo(1 - 2e-3, 6);
  });
  it('moves every coordinate by about η regardless of the gradient scale', () => {
    const [a] = run(adam({ learningRate: 0.01 }), [0, 0], [[1e-3, -1e3]]);
    expect(a?.[0]).toBeCloseTo(-0.01, 4);
    expect(a?.[1]).toBeCloseTo(0.01, 4);
  });
});

describe('all optimisers', () => {
  for (const optimizer of [sgd({ learningRate: 0.1 }), momentum({ learningRate: 0.1 }), adam()]) {
    it(`${optimizer.name} leaves its inputs unchanged`, () => {
      const params = [t(1, 2)];
      const gradient = [t(0.5, -0.5)];
      const state = optimizer.init(ops, params);
      const before = JSON.stringify(state.slots, (_, v) => (v instanceof Float32Array ? Array.from(v) : v));
      optimizer.update(ops, { gradient, parameters: params, state });
      expect(Array.from(params[0]?.data ?? [])).toEqual([1, 2]);
      expect(Array.from(gradient[0]?.data ?? [])).toEqual([0.5, -0.5]);
      expect(JSON.stringify(state.slots, (_, v) => (v instanceof Float32Array ? Array.from(v) : v))).toBe(before);
    });
  }

  it.each([
    [() => sgd({ learningRate: 0 }), 'sgd: learningRate must be a finite number > 0, got 0'],
    [() => sgd({ learningRate: 0.1, weightDecay: -1 }), 'sgd: weightDecay must be a finite number ≥ 0, got -1'],
    [() => momentum({ learningRate: 0.1, momentum: 1 }), 'momentum: momentum must be a finite number in [0, 1), got 1'],
    [() => adam({ beta2: 1 }), 'adam: beta2 must be a finite number in [0, 1), got 1'],
    [() => adam({ epsilon: 0 }), 'adam: epsilon must be a finite number > 0, got 0'],
    [
      () => sgd({ learningRate: 0.1, weightdecay: 1e-4 } as never),
      'sgd: options must be made of learningRate, weightDecay, got "weightdecay"',
    ],
    [
      () => momentum({ learningRate: 0.1, bsMax: 64 } as never),
      'momentum: options must be made of learningRate, momentum, nesterov, weightDecay, got "bsMax"',
    ],
    [
      () => adam({ beta3: 0.5 } as never),
      'adam: options must be made of learningRate, beta1, beta2, epsilon, weightDecay, got "beta3"',
    ],
  ])('rejects bad options %#', (make, message) => {
    expect(make).toThrow(message);
  });
});
