import {
  avgPool2d,
  batchNorm,
  conv2d,
  dense,
  describeSpec,
  fixedBatch,
  flatten,
  type HostTensor,
  hostTensor,
  type LayerSpec,
  maxPool2d,
  momentum,
  relu,
  sequential,
  train,
} from '@abs/core';
import { BATCH_NORM_SPEC, CONV_SPEC, conformanceDataset, maxRelativeDifference } from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { jsBackend } from './js-backend';

describe("windows follow TensorFlow's padding", () => {
  /** Predicts through `layers`, then flatten and an identity dense layer, so the outputs are the layer's. */
  async function through(inputShape: number[], layers: LayerSpec[], x: number[], before: Float32Array[] = []) {
    const size = describeSpec(sequential(inputShape, [...layers, flatten(), dense(1)])).layers.at(-1)
      ?.inputSize as number;
    const spec = sequential(inputShape, [...layers, flatten(), dense(size)]);
    const identity = Float32Array.from({ length: size * size }, (_, k) => (k % (size + 1) === 0 ? 1 : 0));
    const features = Float32Array.from(x);
    const dataset = {
      name: 'p',
      size: 1,
      featureShape: inputShape,
      features,
      labels: Int32Array.from([0]),
      numClasses: size,
    };
    const model = await jsBackend().compile(spec, dataset, {
      parameters: [...before, identity, new Float32Array(size)],
    });
    return Array.from(await model.predict(features, 1));
  }

  it("pools: 'same' windows at the edge see only real inputs (2×2 stride 2 on 2×3)", async () => {
    // [[1, 2, 3], [4, 5, 6]]: output 1×2; the padding column goes after the image.
    const x = [1, 2, 3, 4, 5, 6];
    expect(await through([2, 3, 1], [avgPool2d(2, { padding: 'same' })], x)).toEqual([3, 4.5]);
    expect(await through([2, 3, 1], [maxPool2d(2, { padding: 'same' })], x)).toEqual([5, 6]);
    expect(await through([2, 3, 1], [maxPool2d(2)], x)).toEqual([5]);
  });

  it("convolutions: 'same' pads zeros, the odd one after (3×3 stride 2 on 4×4 ones)", async () => {
    // Windows start at rows/cols 0 and 2; the second reaches one padded row/col: sums 9, 6, 6, 4.
    const ones = new Array(16).fill(1);
    const kernel = new Float32Array(9).fill(1);
    const layers = [conv2d(1, 3, { strides: 2, bias: false })];
    expect(await through([4, 4, 1], layers, ones, [kernel])).toEqual([9, 6, 6, 4]);
    const valid = [conv2d(1, 3, { padding: 'valid', bias: false })];
    expect(await through([4, 4, 1], valid, ones, [kernel])).toEqual([9, 9, 9, 9]);
  });
});

describe('conv second moments against their definitions, position by position', () => {
  it('exact (Σ_p c_ip)² and reference Σ_p c_ip² from the layer input and its output gradient', async () => {
    // CONV_SPEC's last conv (layer 6: 2×2 'valid', stride 1, 4 → 3 channels on a 3×3 image) feeds
    // flatten → dense. Its input comes from `features`; its per-example output gradient δ from
    // the dense layer's `featureGradient` (flatten is a reshape), times n since that is ∂(mean)/∂.
    const data = conformanceDataset({ size: 12, featureShape: [6, 5, 2], classes: 3, seed: 4 });
    const model = await jsBackend().compile(CONV_SPEC, data, { seed: 6 });
    const batch = [0, 3, 5, 7, 11];
    const n = batch.length;
    const conv = model.layers.findIndex((l) => l.path === 'layers[6]');
    const next = conv + 1;
    const info = model.layers[conv] as (typeof model.layers)[number];
    const [h, w, c] = info.inputShape as [number, number, number];
    const [rows, cols, f] = info.outputShape as [number, number, number];
    const { features: input } = await model.evaluate(batch, { features: { layer: conv } });
    const { features: flat } = await model.evaluate(batch, { features: { layer: next } });
    const { featureGradient } = await model.evaluate(batch, {
      replaceFeatures: { layer: next, features: flat as HostTensor },
    });
    const x = (input as HostTensor).data;
    const delta = (featureGradient as HostTensor).data.map((v) => v * n);
    const exact = new Float64Array(2 * 2 * c * f);
    const reference = new Float64Array(exact.length);
    const biasExact = new Float64Array(f);
    const biasReference = new Float64Array(f);
    for (let i = 0; i < n; i++) {
      for (let ky = 0; ky < 2; ky++) {
        for (let kx = 0; kx < 2; kx++) {
          for (let ch = 0; ch < c; ch++) {
            for (let o = 0; o < f; o++) {
              let sum = 0;
              let squares = 0;
              for (let oy = 0; oy < rows; oy++) {
                for (let ox = 0; ox < cols; ox++) {
                  const xv = x[((i * h + oy + ky) * w + ox + kx) * c + ch] as number;
                  const contribution = xv * (delta[((i * rows + oy) * cols + ox) * f + o] as number);
                  sum += contribution;
                  squares += contribution ** 2;
                }
              }
              const k = ((ky * 2 + kx) * c + ch) * f + o;
              exact[k] = (exact[k] as number) + sum ** 2 / n;
              reference[k] = (reference[k] as number) + squares / n;
            }
          }
        }
      }
      for (let o = 0; o < f; o++) {
        let sum = 0;
        let squares = 0;
        for (let p = 0; p < rows * cols; p++) {
          const d = delta[(i * rows * cols + p) * f + o] as number;
          sum += d;
          squares += d * d;
        }
        biasExact[o] = (biasExact[o] as number) + sum ** 2 / n;
        biasReference[o] = (biasReference[o] as number) + squares / n;
      }
    }
    const [weight, bias] = info.parameters as [number, number];
    const moments = async (fidelity: 'exact' | 'reference') =>
      (await model.evaluate(batch, { secondMoment: { fidelity } })).secondMoment as HostTensor[];
    const e = await moments('exact');
    const r = await moments('reference');
    expect(maxRelativeDifference(e[weight]?.data ?? [], exact)).toBeLessThan(1e-5);
    expect(maxRelativeDifference(e[bias]?.data ?? [], biasExact)).toBeLessThan(1e-5);
    expect(maxRelativeDifference(r[weight]?.data ?? [], reference)).toBeLessThan(1e-5);
    expect(maxRelativeDifference(r[bias]?.data ?? [], biasReference)).toBeLessThan(1e-5);
    // The two differ on a conv layer (cross-position terms) and agree on dense ones.
    expect(maxRelativeDifference(e[weight]?.data ?? [], r[weight]?.data ?? [])).toBeGreaterThan(0.01);
    const last = model.layers.at(-1)?.parameters[0] as number;
    expect(Array.from(e[last]?.data ?? [])).toEqual(Array.from(r[last]?.data ?? []));
  });
});

describe('batch normalisation', () => {
  const data = conformanceDataset({ size: 16, featureShape: [5, 5, 2], classes: 3, seed: 5, regression: true });
  const batch = [0, 2, 4, 6, 8, 10];

  it('trains on batch statistics, folds them into the running averages, and predicts with those', async () => {
    const model = await jsBackend().compile(BATCH_NORM_SPEC, data, { seed: 1 });
    const norm = model.layers[1] as (typeof model.layers)[number]; // batchNorm1, momentum 0.9
    expect(norm.kind).toBe('batchNorm');
    const { features } = await model.evaluate(batch, { features: { layer: 1 } });
    const x = (features as HostTensor).data;
    const c = 3;
    const m = x.length / c;
    const mean = Array.from({ length: c }, (_, ch) => x.reduce((s, v, j) => (j % c === ch ? s + v : s), 0) / m);
    const variance = mean.map((mu, ch) => x.reduce((s, v, j) => (j % c === ch ? s + (v - mu) ** 2 : s), 0) / m);
    const before = (await model.readBuffers?.()) as Float32Array[];
    expect(Array.from(before[0] as Float32Array)).toEqual([0, 0, 0]);
    expect(Array.from(before[1] as Float32Array)).toEqual([1, 1, 1]);
    // Passes that do not train leave the averages alone: loss only, another point, or 'keep'.
    await model.evaluate(batch);
    await model.evaluate(batch, { gradient: true, parameters: model.parameters });
    await model.evaluate(batch, { gradient: true, runningStatistics: 'keep' });
    expect(await model.readBuffers?.()).toEqual(before);
    await model.evaluate(batch, { gradient: true });
    const after = (await model.readBuffers?.()) as Float32Array[];
    // r ← 0.9·r + 0.1·(batch value), from r = 0 (mean) and 1 (variance).
    expect(
      maxRelativeDifference(
        after[0] as Float32Array,
        mean.map((v) => 0.1 * v),
      ),
    ).toBeLessThan(1e-5);
    expect(
      maxRelativeDifference(
        after[1] as Float32Array,
        variance.map((v) => 0.9 + 0.1 * v),
      ),
    ).toBeLessThan(1e-5);
  });

  it('predicts exactly the training pass once the running averages are that batch (momentum 0)', async () => {
    const spec = sequential(
      [5, 5, 2],
      [
        conv2d(3, 3),
        batchNorm({ momentum: 0 }),
        relu(),
        maxPool2d(2),
        flatten(),
        dense(4),
        batchNorm({ momentum: 0 }),
        dense(3),
      ],
      { loss: 'mse' },
    );
    const model = await jsBackend().compile(spec, data, { seed: 2 });
    const x = data.features.subarray(0, batch.length * 50);
    const fresh = await model.predict(x, batch.length);
    const training = await model.evaluate([0, 1, 2, 3, 4, 5], { gradient: true, outputs: true });
    const outputs = (training.outputs as HostTensor).data;
    // Before: running averages (0, 1) differ from the batch's; after: predict reproduces training.
    expect(maxRelativeDifference(fresh, outputs)).toBeGreaterThan(1e-3);
    expect(maxRelativeDifference(await model.predict(x, batch.length), outputs)).toBeLessThan(1e-4);
  });

  it('keeps the running averages when the pass has a non-finite loss, and round-trips them', async () => {
    const model = await jsBackend().compile(BATCH_NORM_SPEC, data, { seed: 1 });
    const before = (await model.readBuffers?.()) as Float32Array[];
    const poisoned = (await model.readParameters()).map((p) => p.slice());
    (poisoned.at(-1) as Float32Array)[0] = Number.NaN;
    model.writeParameters(poisoned);
    const { loss } = await model.evaluate(batch, { gradient: true });
    expect(loss).toBeNaN();
    expect(await model.readBuffers?.()).toEqual(before);
    const values = before.map((b, i) => b.map((v) => v + i + 0.5));
    model.writeBuffers?.(values);
    expect(await model.readBuffers?.()).toEqual(values);
    expect(() => model.writeBuffers?.([new Float32Array(2)])).toThrow(/writeBuffers/);
  });

  it('refuses per-example statistics, naming the layer, and cuts only at top-level layers', async () => {
    const model = await jsBackend().compile(BATCH_NORM_SPEC, data, { seed: 1 });
    await expect(model.evaluate(batch, { gram: true })).rejects.toThrow(
      "backend 'js' does not support capability 'gram': asked for in evaluate; the model has batch normalisation (batchNorm1 at layers[1])",
    );
    const inside = model.layers.findIndex((l) => l.sequenceIndex === undefined);
    await expect(model.evaluate(batch, { features: { layer: inside } })).rejects.toThrow(
      `features.layer ${inside} (conv2d2 at layers[3].block[0]) is inside a residual block; name a layer of the top-level sequence`,
    );
    const values = hostTensor(new Float32Array(batch.length * 3), [batch.length, 3]);
    await expect(model.evaluate(batch, { replaceFeatures: { layer: inside, features: values } })).rejects.toThrow(
      /inside a residual block/,
    );
  });
});

describe('checkpoints of conv and batch-norm networks', () => {
  it.each([
    ['conv/pool/residual', CONV_SPEC, false],
    ['batch-norm', BATCH_NORM_SPEC, true],
  ] as const)('resume fixedBatch exactly: parameters, running averages and trace (%s)', async (_, spec, regression) => {
    const { inputShape, outputShape } = describeSpec(spec);
    const data = conformanceDataset({
      size: 40,
      featureShape: inputShape,
      classes: outputShape[0] as number,
      seed: 8,
      regression,
    });
    const algorithm = () => fixedBatch({ optimizer: momentum({ learningRate: 0.05, momentum: 0.9 }), batchSize: 8 });
    const compile = () => jsBackend().compile(spec, data, { seed: 4 });
    const whole = await compile();
    const full = await train(whole, algorithm(), { steps: 10, seed: 3 });
    const half = await train(await compile(), algorithm(), { steps: 4, seed: 3 });
    const checkpoint = JSON.parse(JSON.stringify(await half.checkpoint()));
    expect(checkpoint.buffers?.length ?? 0).toBe(whole.bufferInfo?.length);
    const resumed = await compile();
    const rest = await train(resumed, algorithm(), { steps: 10, seed: 3, resume: checkpoint });
    expect(rest.trace).toEqual(full.trace);
    expect(await resumed.readParameters()).toEqual(await whole.readParameters());
    expect(await resumed.readBuffers?.()).toEqual(await whole.readBuffers?.());
  });
});
