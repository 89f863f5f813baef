import { describe, expect, it } from 'vitest';
import { validateDataset } from './dataset';
import { initializeParameters } from './initialize';
import { describeSpec, mlp } from './model-spec';

describe('mlp', () => {
  it('fills defaults by activation and lays out [W0, b0, W1, b1]', () => {
    expect(mlp([784, 128, 10])).toEqual({
      kind: 'mlp',
      layerSizes: [784, 128, 10],
      activation: 'relu',
      loss: 'softmax-cross-entropy',
      bias: true,
      init: 'he-normal',
    });
    expect(mlp([2, 3], { activation: 'tanh' }).init).toBe('glorot-uniform');
    const { parameters, layers } = describeSpec(mlp([4, 3, 2]));
    expect(parameters.map((p) => [p.name, p.shape])).toEqual([
      ['dense0/weight', [4, 3]],
      ['dense0/bias', [3]],
      ['dense1/weight', [3, 2]],
      ['dense1/bias', [2]],
    ]);
    expect(layers.map((l) => l.parameters)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(describeSpec(mlp([4, 2], { bias: false })).parameters.length).toBe(1);
  });

  it.each([
    [() => mlp([5]), 'mlp: layerSizes must be an array of at least 2 widths, got [5]'],
    [() => mlp([5, 0]), 'mlp: layerSizes[1] must be an integer ≥ 1, got 0'],
    [
      () => mlp([5, 2], { activation: 'gelu' as never }),
      "mlp: activation must be one of 'relu' | 'tanh' | 'sigmoid' | 'identity', got \"gelu\"",
    ],
    [
      () => mlp([5, 2], { loss: 'hinge' as never }),
      "mlp: loss must be one of 'softmax-cross-entropy' | 'mse', got \"hinge\"",
    ],
    [() => mlp([5, 2], { init: { kind: 'normal', std: 0 } }), 'mlp: init.std must be a finite number > 0, got 0'],
  ])('rejects bad specs %#', (make, message) => {
    expect(make).toThrow(message);
  });
});

describe('initializeParameters', () => {
  it('is deterministic per seed, independent per layer, and has the intended scale', () => {
    const spec = mlp([400, 300, 10]);
    const a = initializeParameters(spec, 1);
    const b = initializeParameters(spec, 1);
    const c = initializeParameters(spec, 2);
    expect(a).toEqual(b);
    expect(a[0]).not.toEqual(c[0]);
    // Adding a layer leaves the first layer's draws unchanged.
    expect(initializeParameters(mlp([400, 300, 20, 10]), 1)[0]).toEqual(a[0]);
    expect(Array.from(a[1] ?? [])).toEqual(new Array(300).fill(0));
    // He-normal: variance 2/fanIn = 0.005 (120,000 draws: sampling error ≈ 0.4%).
    const w = a[0] as Float32Array;
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance / 0.005).toBeGreaterThan(0.98);
    expect(variance / 0.005).toBeLessThan(1.02);
    // Glorot-uniform: |w| ≤ √(6/(fanIn+fanOut)).
    const g = initializeParameters(mlp([400, 300], { activation: 'tanh' }), 1)[0] as Float32Array;
    const limit = Math.sqrt(6 / 700);
    expect(Math.max(...g.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...g.map(Math.abs))).toBeGreaterThan(0.99 * limit);
  });

  it('supports the truncated normal with a bias constant (the CABS reference init)', () => {
    const [w, b] = initializeParameters(
      mlp([100, 50], { init: { kind: 'truncated-normal', std: 0.01, bias: 0.05 } }),
      3,
    );
    expect(Math.max(...(w as Float32Array).map(Math.abs))).toBeLessThanOrEqual(0.02 + 1e-9);
    expect(Array.from(b as Float32Array).every((v) => Math.abs(v - 0.05) < 1e-7)).toBe(true);
  });
});

describe('validateDataset', () => {
  const base = {
    name: 'd',
    size: 2,
    featureShape: [2],
    features: new Float32Array(4),
    labels: Int32Array.from([0, 1]),
    numClasses: 2,
  };
  it('accepts a consistent dataset and names what is wrong otherwise', () => {
    expect(validateDataset(base)).toBe(base);
    expect(() => validateDataset({ ...base, features: new Float32Array(3) })).toThrow(
      "dataset 'd' features: expected shape [2, 2], got [3]",
    );
    expect(() => validateDataset({ ...base, labels: Int32Array.from([0, 2]) })).toThrow(
      "dataset 'd': label 2 of example 1 is outside [0, 2)",
    );
    expect(() => validateDataset({ ...base, size: 0 })).toThrow("dataset 'd': size must be a positive integer, got 0");
    const { labels: _labels, ...unlabelled } = base;
    expect(() => validateDataset(unlabelled)).toThrow("dataset 'd' has neither labels nor targets");
  });
});
