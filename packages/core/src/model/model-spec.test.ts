import { describe, expect, it } from 'vitest';
import { checkSpecMatchesDataset } from './check-request';
import { validateDataset } from './dataset';
import { describeSpec, windowOutput } from './describe-spec';
import { initializeBuffers, initializeParameters } from './initialize';
import {
  batchNorm,
  conv2d,
  type DenseLayer,
  dense,
  flatten,
  globalAvgPool2d,
  maxPool2d,
  mlp,
  projection,
  relu,
  residual,
  sequential,
} from './model-spec';
import { cabsMnistNet } from './paper-nets';

describe('mlp', () => {
  it('is the sequential shorthand: dense layers with the activation between them', () => {
    expect(mlp([784, 128, 10])).toEqual({
      kind: 'sequential',
      inputShape: [784],
      layers: [
        { kind: 'dense', units: 128, bias: true, init: 'he-normal' },
        { kind: 'activation', activation: 'relu' },
        { kind: 'dense', units: 10, bias: true, init: 'he-normal' },
      ],
      loss: 'softmax-cross-entropy',
    });
    expect(mlp([784, 128, 10])).toEqual(sequential([784], [dense(128), relu(), dense(10)]));
    expect((mlp([2, 3], { activation: 'tanh' }).layers[0] as DenseLayer).init).toBe('glorot-uniform');
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

describe('sequential specs', () => {
  const cabsMnist = cabsMnistNet;

  it("lays out the CABS MNIST net: 3.27 M parameters, 'same' convs and 2×2 pools", () => {
    const { parameters, layers, shapes, outputShape } = describeSpec(cabsMnist());
    expect(parameters.map((p) => [p.name, p.shape])).toEqual([
      ['conv2d0/weight', [5, 5, 1, 32]],
      ['conv2d0/bias', [32]],
      ['conv2d1/weight', [5, 5, 32, 64]],
      ['conv2d1/bias', [64]],
      ['dense2/weight', [3136, 1024]],
      ['dense2/bias', [1024]],
      ['dense3/weight', [1024, 10]],
      ['dense3/bias', [10]],
    ]);
    // 5·5·32 + 32 + 5·5·32·64 + 64 + 3136·1024 + 1024 + 1024·10 + 10
    const count = parameters.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
    expect(count).toBe(832 + 51264 + 3212288 + 10250);
    expect(shapes.map((s) => s.outputShape)).toEqual([
      [28, 28, 32],
      [28, 28, 32],
      [14, 14, 32],
      [14, 14, 64],
      [14, 14, 64],
      [7, 7, 64],
      [3136],
      [1024],
      [1024],
      [10],
    ]);
    expect(layers.map((l) => [l.kind, l.path, l.sequenceIndex, l.inputSize])).toEqual([
      ['conv2d', 'layers[0]', 0, 784],
      ['conv2d', 'layers[3]', 3, 6272],
      ['dense', 'layers[7]', 7, 3136],
      ['dense', 'layers[9]', 9, 1024],
    ]);
    expect(outputShape).toEqual([10]);
  });

  it("computes TensorFlow's output sizes for strides and both paddings", () => {
    // same: ⌈in/stride⌉, padding split with the extra at the end; valid: ⌊(in − k)/stride⌋ + 1.
    expect(windowOutput(7, 3, 2, 'same')).toEqual({ output: 4, before: 1 });
    expect(windowOutput(6, 3, 2, 'same')).toEqual({ output: 3, before: 0 });
    expect(windowOutput(24, 3, 2, 'same')).toEqual({ output: 12, before: 0 });
    expect(windowOutput(7, 3, 2, 'valid')).toEqual({ output: 3, before: 0 });
    expect(windowOutput(5, 1, 2, 'valid')).toEqual({ output: 3, before: 0 });
  });

  it('describes residual blocks, projections and batch norm with their buffers', () => {
    const spec = sequential(
      [8, 8, 3],
      [
        conv2d(4, 3, { bias: false }),
        batchNorm(),
        relu(),
        residual([conv2d(8, 3, { strides: 2, bias: false }), batchNorm(), relu(), conv2d(8, 3, { bias: false })], {
          shortcut: projection(8, 2, { batchNorm: true }),
        }),
        relu(),
        globalAvgPool2d(),
        dense(10),
      ],
    );
    const d = describeSpec(spec);
    expect(d.layers.map((l) => [l.name, l.path, l.sequenceIndex])).toEqual([
      ['conv2d0', 'layers[0]', 0],
      ['batchNorm1', 'layers[1]', 1],
      ['conv2d2', 'layers[3].block[0]', undefined],
      ['batchNorm3', 'layers[3].block[1]', undefined],
      ['conv2d4', 'layers[3].block[3]', undefined],
      ['conv2d5', 'layers[3].shortcut[0]', undefined],
      ['batchNorm6', 'layers[3].shortcut[1]', undefined],
      ['dense7', 'layers[6]', 6],
    ]);
    expect(d.buffers.map((b) => b.name)).toEqual([
      'batchNorm1/runningMean',
      'batchNorm1/runningVariance',
      'batchNorm3/runningMean',
      'batchNorm3/runningVariance',
      'batchNorm6/runningMean',
      'batchNorm6/runningVariance',
    ]);
    expect(d.batchNorm?.name).toBe('batchNorm1');
    expect(d.parameters.find((p) => p.name === 'conv2d5/weight')?.shape).toEqual([1, 1, 4, 8]);
    expect(initializeBuffers(spec).map((b) => b[0])).toEqual([0, 1, 0, 1, 0, 1]);
    const params = initializeParameters(spec, 1);
    expect(Array.from(params[1] as Float32Array)).toEqual([1, 1, 1, 1]); // γ
    expect(Array.from(params[2] as Float32Array)).toEqual([0, 0, 0, 0]); // β
  });

  it.each([
    [
      () => sequential([8, 8, 1], [conv2d(2, 9, { padding: 'valid' }), flatten(), dense(2)]),
      "model spec layers[0]: kernelSize [9, 9] is larger than the 'valid' input [8, 8, 1]",
    ],
    [() => conv2d(2, 3, { strides: 0 }), 'conv2d: strides[0] must be an integer ≥ 1, got 0'],
    [
      () =>
        sequential(
          [4, 4, 1],
          [
            {
              kind: 'conv2d',
              filters: 2,
              kernelSize: [3, 3],
              strides: [1, -1],
              padding: 'same',
              bias: true,
              init: 'he-normal',
            },
            flatten(),
            dense(2),
          ],
        ),
      'model spec layers[0]: conv2d: strides[1] must be an integer ≥ 1, got -1',
    ],
    [
      () => sequential([4, 4, 1], [conv2d(2, 3), dense(2)]),
      'model spec layers[1]: dense needs a vector input, got [4, 4, 2]: add flatten() or globalAvgPool2d() before it',
    ],
    [
      () => sequential([16], [maxPool2d(2), dense(2)]),
      'model spec layers[0]: maxPool2d needs an image input [height, width, channels], got [16]',
    ],
    [
      () => sequential([4, 4, 2], [residual([conv2d(3, 3)]), flatten(), dense(2)]),
      'model spec layers[0]: the block ends in [4, 4, 3] but the shortcut in [4, 4, 2]; use a projection shortcut',
    ],
    [
      () => sequential([4, 4, 1], [conv2d(2, 3)]),
      'model spec layers[0]: the network must end in a vector of logits, got [4, 4, 2]: end with flatten() and dense(classes)',
    ],
    [() => sequential([4], [{ kind: 'lstm' } as never]), 'model spec layers[0]: unknown layer kind "lstm"'],
    [() => batchNorm({ momentum: 1 }), 'batchNorm: momentum must be a finite number in [0, 1), got 1'],
  ])('names the layer and field of a bad spec %#', (make, message) => {
    expect(make).toThrow(message);
    try {
      make();
    } catch (error) {
      expect(['abs.invalid-model-spec', 'abs.invalid-hyper-parameter']).toContain((error as { code: string }).code);
    }
  });

  it('checks the input shape against the dataset', () => {
    const images = {
      name: 'img',
      size: 1,
      featureShape: [28, 28, 1],
      features: new Float32Array(784),
      labels: Int32Array.from([0]),
      numClasses: 10,
    };
    expect(() => checkSpecMatchesDataset(cabsMnist(), images)).not.toThrow();
    expect(() => checkSpecMatchesDataset(mlp([784, 10]), images)).not.toThrow(); // a vector input flattens
    expect(() => checkSpecMatchesDataset(cabsMnist(), { ...images, featureShape: [784] })).toThrow(
      "features of dataset 'img' vs the spec's inputShape: expected shape [28, 28, 1], got [784]",
    );
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

  it("takes a conv kernel's fans from its receptive field (kh·kw·in, kh·kw·filters)", () => {
    // He-normal: variance 2/(5·5·32) = 0.0025 over 51,200 draws; Glorot bound √(6/(800 + 1600)) = 0.05.
    const he = initializeParameters(sequential([8, 8, 32], [conv2d(64, 5), flatten(), dense(2)]), 1)[0] as Float32Array;
    const variance = he.reduce((s, v) => s + v * v, 0) / he.length;
    expect(variance / 0.0025).toBeGreaterThan(0.97);
    expect(variance / 0.0025).toBeLessThan(1.03);
    const spec = sequential([8, 8, 32], [conv2d(64, 5, { init: 'glorot-uniform' }), flatten(), dense(2)]);
    const glorot = initializeParameters(spec, 1)[0] as Float32Array;
    expect(Math.max(...glorot.map(Math.abs))).toBeLessThanOrEqual(0.05);
    expect(Math.max(...glorot.map(Math.abs))).toBeGreaterThan(0.0499);
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
