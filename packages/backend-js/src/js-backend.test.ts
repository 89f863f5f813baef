import { type Dataset, describeSpec, type HostTensor, hostTensor, type Model, type ModelSpec, mlp } from '@abs/core';
import {
  BATCH_NORM_SPEC,
  CONV_SPEC,
  conformanceDataset,
  describeBackendConformance,
  maxRelativeDifference,
} from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { jsBackend } from './js-backend';
import { DEFAULT_STATISTICS, statisticsMemory } from './layers/linear-statistics';
import { sizeOf } from './layers/node';

// The suite against itself checks the suite's plumbing; other backends run it against us.
describeBackendConformance({ name: 'js (self)', backend: () => jsBackend(), reference: () => jsBackend() });

const read = (m: Model<HostTensor>, list: readonly HostTensor[] | undefined) =>
  Promise.all((list ?? []).map((t) => m.ops.read(t)));

/** Per-example gradients by evaluating each example alone (the definition). */
async function perExampleGradients(model: Model<HostTensor>, batch: number[]) {
  return Promise.all(batch.map(async (k) => read(model, (await model.evaluate([k], { gradient: true })).gradient)));
}

/** Networks for the brute-force checks: each activation, and every layer kind. */
const NETWORKS: readonly { title: string; spec: ModelSpec; regression?: boolean }[] = [
  { title: 'tanh', spec: mlp([4, 5, 3], { activation: 'tanh' }) },
  { title: 'sigmoid', spec: mlp([4, 5, 3], { activation: 'sigmoid' }) },
  { title: 'relu', spec: mlp([4, 5, 3]) },
  { title: 'conv/pool/residual', spec: CONV_SPEC },
  { title: 'batch-norm/mse', spec: BATCH_NORM_SPEC, regression: true },
];

const datasetFor = (spec: ModelSpec, seed: number, regression = false) => {
  const { inputShape, outputShape } = describeSpec(spec);
  return conformanceDataset({
    size: 10,
    featureShape: inputShape,
    classes: outputShape[0] as number,
    seed,
    regression,
  });
};

describe('jsBackend gradients', () => {
  for (const { title, spec, regression } of NETWORKS) {
    it(`matches central finite differences (${title})`, async () => {
      const data = datasetFor(spec, 3, regression);
      const model = await jsBackend().compile(spec, data, { seed: 2 });
      const batch = [0, 1, 2, 3, 4, 5];
      const { gradient } = await model.evaluate(batch, { gradient: true });
      const analytic = await read(model, gradient);
      const base = await model.readParameters();
      const h = 1e-3;
      for (let p = 0; p < base.length; p++) {
        for (let j = 0; j < (base[p] as Float32Array).length; j += 3) {
          const lossAt = async (delta: number) => {
            const shifted = base.map((t, q) => {
              const c = Float32Array.from(t);
              if (q === p) c[j] = (c[j] as number) + delta;
              return hostTensor(c, model.parameterInfo[q]?.shape as number[]);
            });
            return (await model.evaluate(batch, { parameters: shifted })).loss;
          };
          // The perturbation itself is rounded to float32; divide by the step actually taken.
          const plus = Math.fround((base[p]?.[j] as number) + h) - (base[p]?.[j] as number);
          const minus = Math.fround((base[p]?.[j] as number) - h) - (base[p]?.[j] as number);
          const numeric = ((await lossAt(h)) - (await lossAt(-h))) / (plus - minus);
          expect(analytic[p]?.[j], `${model.parameterInfo[p]?.name}[${j}]`).toBeCloseTo(numeric, 3);
        }
      }
    });
  }

  const bruteForce = [
    { title: 'dense', spec: mlp([5, 6, 4]), options: {} },
    {
      title: 'conv, materialised in chunks of one example',
      spec: CONV_SPEC,
      options: { method: 'materialise', chunkElements: 1 },
    },
    { title: 'conv, materialised in one chunk', spec: CONV_SPEC, options: { method: 'materialise' } },
    { title: 'conv, positions formulas', spec: CONV_SPEC, options: { method: 'positions' } },
    { title: 'conv, the cheaper per layer', spec: CONV_SPEC, options: {} },
  ] as const;
  it.each(bruteForce)(
    'second moments, Gram, per-example norms and weighted gradients equal brute force over per-example gradients ($title)',
    async ({ spec, options }) => {
      const data = datasetFor(spec, 9);
      const model = await jsBackend({ statistics: options }).compile(spec, data, { seed: 4 });
      const batch = [1, 4, 2, 8, 0];
      const n = batch.length;
      const weights = Float32Array.from([0.5, -1, 2, 0, 0.25]);
      statisticsMemory.reset();
      const result = await model.evaluate(batch, {
        gradient: true,
        secondMoment: true,
        gram: true,
        perExampleGradientNormSquared: true,
        exampleWeights: weights,
      });
      // The stated bound: two chunks of at most max(K·F, chunkElements) per-example gradient values.
      const chunk = (options as { chunkElements?: number }).chunkElements ?? DEFAULT_STATISTICS.chunkElements;
      const largest = Math.max(...model.parameterInfo.filter((p) => p.role === 'weight').map((p) => sizeOf(p.shape)));
      expect(statisticsMemory.peak).toBeLessThanOrEqual(2 * Math.max(largest, chunk));
      const method = (options as { method?: string }).method;
      if (method === 'materialise') expect(statisticsMemory.peak).toBeGreaterThan(largest);
      // Norms and Gram by positions hold none; the exact second moment holds one example's at a time.
      if (method === 'positions') expect(statisticsMemory.peak).toBeLessThanOrEqual(largest);
      const each = await perExampleGradients(model, batch);
      each.forEach((grads, i) => {
        grads.forEach((gi, p) => {
          const norm = gi.reduce((s, v) => s + v * v, 0);
          expect(result.perExampleGradientNormSquared?.[p]?.[i], `‖g_${i}‖² of parameter ${p}`).toBeCloseTo(norm, 5);
        });
      });
      const moments = await read(model, result.secondMoment);
      const weighted = await read(model, result.weightedGradient);
      const mean = await read(model, result.gradient);
      for (let p = 0; p < moments.length; p++) {
        const size = (moments[p] as Float32Array).length;
        const m = new Float64Array(size);
        const g = new Float64Array(size);
        const w = new Float64Array(size);
        each.forEach((grads, i) => {
          const gi = grads[p] as Float32Array;
          for (let j = 0; j < size; j++) {
            m[j] = (m[j] as number) + (gi[j] as number) ** 2 / n;
            g[j] = (g[j] as number) + (gi[j] as number) / n;
            w[j] = (w[j] as number) + (weights[i] as number) * (gi[j] as number);
          }
        });
        expect(maxRelativeDifference(moments[p] as Float32Array, m)).toBeLessThan(1e-5);
        expect(maxRelativeDifference(mean[p] as Float32Array, g)).toBeLessThan(1e-5);
        expect(maxRelativeDifference(weighted[p] as Float32Array, w)).toBeLessThan(1e-5);
      }
      model.layers.forEach((layer, l) => {
        const k = result.gram?.[l] as Float64Array;
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            let dot = 0;
            for (const p of layer.parameters) {
              const gi = each[i]?.[p] as Float32Array;
              const gj = each[j]?.[p] as Float32Array;
              for (let e = 0; e < gi.length; e++) dot += (gi[e] as number) * (gj[e] as number);
            }
            expect(k[i * n + j]).toBeCloseTo(dot, 4);
          }
        }
      });
    },
  );

  it('features, replaced features and an upstream gradient agree with their definitions', async () => {
    const data = conformanceDataset({ size: 6, width: 3, classes: 2, seed: 1 });
    const model = await jsBackend().compile(mlp([3, 4, 2], { activation: 'tanh' }), data, { seed: 8 });
    const batch = [0, 1, 2];
    const { features } = await model.evaluate(batch, { features: { layer: 1 } });
    const h = features as HostTensor;
    // Replacing the features by themselves reproduces the loss.
    const plain = await model.evaluate(batch);
    const same = await model.evaluate(batch, { replaceFeatures: { layer: 1, features: h } });
    expect(same.loss).toBeCloseTo(plain.loss, 6);
    // featureGradient against finite differences of the loss in one feature.
    const eps = 1e-3;
    const bump = (d: number) =>
      hostTensor(
        h.data.map((v, i) => (i === 2 ? v + d : v)),
        h.shape,
      );
    const lp = (await model.evaluate(batch, { replaceFeatures: { layer: 1, features: bump(eps) } })).loss;
    const lm = (await model.evaluate(batch, { replaceFeatures: { layer: 1, features: bump(-eps) } })).loss;
    const step = Math.fround((h.data[2] as number) + eps) - Math.fround((h.data[2] as number) - eps);
    expect(same.featureGradient?.data[2]).toBeCloseTo((lp - lm) / step, 3);
    // With upstream = ∂ℓ_i/∂z_i (softmax − onehot), the upstream pass is n × the mean gradient.
    const { outputs } = await model.evaluate(batch, { outputs: true });
    const z = (outputs as HostTensor).data;
    const upstream = new Float32Array(z.length);
    for (let i = 0; i < batch.length; i++) {
      const e0 = Math.exp(z[2 * i] as number);
      const e1 = Math.exp(z[2 * i + 1] as number);
      const y = data.labels?.[batch[i] as number] as number;
      upstream[2 * i] = e0 / (e0 + e1) - (y === 0 ? 1 : 0);
      upstream[2 * i + 1] = e1 / (e0 + e1) - (y === 1 ? 1 : 0);
    }
    const back = await model.evaluate(batch, { outputGradient: hostTensor(upstream, [3, 2]) });
    const mean = await model.evaluate(batch, { gradient: true });
    const a = await read(model, back.gradient);
    const b = await read(model, mean.gradient);
    a.forEach((g, p) =>
      expect(
        maxRelativeDifference(
          g,
          (b[p] as Float32Array).map((v) => v * 3),
        ),
      ).toBeLessThan(1e-5),
    );
  });
});

describe('spec test vectors', () => {
  // Spec vector C2 (the CABS README): dense-layer moment trick against brute force.
  it('C2: mean gradient and second moment of a dense layer (mse, m = 3)', async () => {
    const data: Dataset = {
      name: 'C2',
      size: 3,
      featureShape: [2],
      features: Float32Array.from([1, 2, 0, -1, 3, 1]),
      targets: Float32Array.from([1, 0, 0, 1, 1, 1]),
      targetSize: 2,
    };
    const W = Float32Array.from([0.5, -1, 2, 0]);
    const model = await jsBackend().compile(mlp([2, 2], { activation: 'identity', loss: 'mse', bias: false }), data, {
      parameters: [W],
    });
    const r = await model.evaluate([0, 1, 2], { gradient: true, secondMoment: true, outputs: true });
    expect(Array.from(r.outputs?.data ?? [])).toEqual([4.5, -1, -2, 0, 3.5, -3]);
    const g = r.gradient?.[0]?.data as Float32Array;
    [3.6667, -4.3333, 3.8333, -1.6667].forEach((v, i) => expect(g[i]).toBeCloseTo(v, 4));
    const m = r.secondMoment?.[0]?.data as Float32Array;
    [22.8333, 48.3333, 19.75, 7.0].forEach((v, i) => expect(m[i]).toBeCloseTo(v, 4));
    // variance of the weight sums to 48.2222
    let variance = 0;
    for (let i = 0; i < 4; i++) variance += (m[i] as number) - (g[i] as number) ** 2;
    expect(variance).toBeCloseTo(48.2222, 4);

    // With a zero bias: M_b = (7.5, 6.0), g_b = (1.3333, −2); layer ξ = 55.9444.
    const withBias = await jsBackend().compile(mlp([2, 2], { activation: 'identity', loss: 'mse' }), data, {
      parameters: [W, new Float32Array(2)],
    });
    const rb = await withBias.evaluate([0, 1, 2], { gradient: true, secondMoment: true });
    const gb = rb.gradient?.[1]?.data as Float32Array;
    const mb = rb.secondMoment?.[1]?.data as Float32Array;
    expect(Array.from(mb)).toEqual([7.5, 6]);
    expect(gb[0]).toBeCloseTo(1.3333, 4);
    expect(gb[1]).toBeCloseTo(-2, 6);
    let xi = 0;
    rb.secondMoment?.forEach((t, p) =>
      t.data.forEach((v, j) => (xi += v - (rb.gradient?.[p]?.data[j] as number) ** 2)),
    );
    expect(xi).toBeCloseTo(55.9444, 4);
  });

  // Spec vector TV-D5 (the DBA README): exact Gram trick for a dense layer with bias.
  it('TV-D5: (ΔΔᵀ)∘([A,1][A,1]ᵀ) equals the Gram of per-sample gradients', async () => {
    const A = [0.13, -0.13, 0.64, 0.1, -0.54, 0.36, 1.3, 0.95, -0.7, -1.27, -0.62, 0.04];
    const delta = [-2.33, -0.22, -1.25, -0.73, -0.54, -0.32, 0.41, 1.04];
    // W = 0, b = 0 gives z = 0, so with mse the output gradient is Δ = z − t = −t.
    const data: Dataset = {
      name: 'D5',
      size: 4,
      featureShape: [3],
      features: Float32Array.from(A),
      targets: Float32Array.from(delta.map((d) => -d)),
      targetSize: 2,
    };
    const model = await jsBackend().compile(mlp([3, 2], { activation: 'identity', loss: 'mse' }), data, {
      parameters: [new Float32Array(6), new Float32Array(2)],
    });
    const { gram } = await model.evaluate([0, 1, 2, 3], { gram: true });
    const expected = [
      [7.905935, 4.036824, 0.793839, -1.114357],
      [4.036824, 2.998936, 0.331639, -1.554272],
      [0.793839, 0.331639, 1.608505, 0.702726],
      [-1.114357, -1.554272, 0.702726, 3.747725],
    ];
    // Inputs are float32, so agreement is to float32 precision of the printed digits.
    expected.flat().forEach((v, i) => expect(gram?.[0]?.[i]).toBeCloseTo(v, 5));
  });
});
