import { jsBackend } from '@abs/backend-js';
import { type Dataset, type EvaluateRequest, type HostTensor, type Model, mlp } from '@abs/core';
import { conformanceDataset, maxRelativeDifference } from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { loadTfjs } from '../test-support/load-tfjs';
import { tfjsBackend } from '../tfjs-backend';
import type { Tensor } from '../tfjs-namespace';

const tf = await loadTfjs('cpu');
const backend = tfjsBackend({ tf });

/** Reads every entry; holes (parameters the pass did not reach) read as undefined. */
const readList = <T>(m: Model<T>, list: readonly (T | undefined)[] | undefined) =>
  Promise.all(Array.from(list ?? [], (t) => (t ? m.ops.read(t) : Promise.resolve(undefined))));

/** Compiles `spec` on tfjs and js and compares one request's tensors, holes included. */
async function agreeWithJs(
  spec: ReturnType<typeof mlp>,
  dataset: Dataset,
  request: (m: Model<Tensor> | Model<HostTensor>) => EvaluateRequest<never>,
): Promise<void> {
  const model = await backend.compile(spec, dataset, { seed: 2 });
  const oracle = await jsBackend().compile(spec, dataset, { seed: 2 });
  const batch = [0, 3, 5, 6, 2];
  const a = await model.evaluate(batch, request(model));
  const e = await oracle.evaluate(batch, request(oracle));
  if (!Number.isNaN(e.loss)) expect(maxRelativeDifference([a.loss], [e.loss])).toBeLessThan(1e-5);
  for (const key of ['gradient', 'secondMoment', 'weightedGradient'] as const) {
    const ours = await readList(model, a[key]);
    const theirs = await readList(oracle, e[key]);
    expect(ours.length, key).toBe(theirs.length);
    theirs.forEach((values, i) => {
      if (values === undefined) expect(ours[i], `${key}[${i}] is a hole`).toBeUndefined();
      else expect(maxRelativeDifference(ours[i] as Float32Array, values), `${key}[${i}]`).toBeLessThan(1e-4);
    });
  }
  if (e.featureGradient) {
    const f = await model.ops.read(a.featureGradient as Tensor);
    expect(maxRelativeDifference(f, e.featureGradient.data)).toBeLessThan(1e-4);
  }
  model.dispose();
}

describe('tfjs model semantics beyond the conformance suite', () => {
  const classes = conformanceDataset({ size: 8, width: 4, classes: 3, seed: 2 });

  it('mse on one-hot labels, a single layer, and identity hidden layers agree with js', async () => {
    await agreeWithJs(mlp([4, 5, 3], { loss: 'mse' }), classes, () => ({ gradient: true, secondMoment: true }));
    await agreeWithJs(mlp([4, 3]), classes, () => ({ gradient: true, exampleWeights: new Float32Array(5).fill(0.5) }));
    await agreeWithJs(mlp([4, 5, 5, 3], { activation: 'identity' }), classes, () => ({ gradient: true }));
  });

  it('replaced features with parameter statistics cover only the layers from the replaced one up', async () => {
    const spec = mlp([4, 6, 5, 3], { activation: 'tanh' });
    await agreeWithJs(spec, classes, (m) => ({
      gradient: true,
      secondMoment: true,
      replaceFeatures: {
        layer: 1,
        features: m.ops.fromArray(
          Float32Array.from({ length: 30 }, (_, i) => Math.cos(i)),
          [5, 6],
        ) as never,
      },
    }));
    // An upstream gradient through replaced features: featureGradient keeps the 1/n.
    await agreeWithJs(spec, classes, (m) => ({
      replaceFeatures: { layer: 2, features: m.ops.fromArray(new Float32Array(25).fill(0.3), [5, 5]) as never },
      outputGradient: m.ops.fromArray(new Float32Array(15).fill(1), [5, 3]) as never,
    }));
  });

  it('rejects features below the replaced layer, which the pass never computes', async () => {
    const model = await backend.compile(mlp([4, 6, 5, 3]), classes);
    const features = tf.zeros([2, 5]);
    await expect(
      model.evaluate([0, 1], { features: { layer: 0 }, replaceFeatures: { layer: 2, features } }),
    ).rejects.toThrow('features.layer must not be below replaceFeatures.layer (2), got 0');
    await expect(model.evaluate([0], { features: { layer: 3 } })).rejects.toThrow(
      'features.layer must be an integer in [0, 3), got 3',
    );
    features.dispose();
    model.dispose();
  });

  it('sgdStep leaves the parameters when the new ones are not finite, though loss and gradient are', async () => {
    const model = await backend.compile(mlp([4, 3]), classes, { seed: 1 });
    const before = await model.readParameters();
    // 1 − ηλ = −1e40 is −Infinity in float32, so every new parameter is ±Infinity or NaN.
    const step = await model.sgdStep?.([0, 1], { learningRate: 1e30, weightDecay: 1e10 });
    expect(Number.isFinite(step?.loss)).toBe(true);
    expect(Number.isFinite(step?.gradientNormSquared)).toBe(true);
    expect(step?.applied).toBe(false);
    expect(await model.readParameters()).toEqual(before);
    model.dispose();
  });

  it("sgdStep refuses a step whose ξ is not finite though the loss, the gradient and θ' are", async () => {
    // Two copies of one input a = 1e20 with mse targets ∓1 at W = 0, b = 0: Δ = z − t = (1, −1),
    // so ḡ = 0 and θ' = θ, but ‖g_i‖² = a²·1 = 1e40 overflows float32.
    const data: Dataset = {
      name: 'xi-overflow',
      size: 2,
      featureShape: [1],
      features: Float32Array.from([1e20, 1e20]),
      targets: Float32Array.from([-1, 1]),
      targetSize: 1,
    };
    const model = await backend.compile(mlp([1, 1], { activation: 'identity', loss: 'mse' }), data, {
      parameters: [new Float32Array(1), new Float32Array(1)],
    });
    for (const gradientVariance of [true, { fidelity: 'reference' }] as const) {
      const step = await model.sgdStep?.([0, 1], { learningRate: 0.1 }, { gradientVariance });
      expect(step?.loss).toBe(0.5);
      expect(step?.gradientNormSquared).toBe(0);
      expect(step?.gradientVariance).toBe(Number.POSITIVE_INFINITY);
      expect(step?.applied, JSON.stringify(gradientVariance)).toBe(false);
    }
    // Not asked for ξ, the same step is taken.
    expect((await model.sgdStep?.([0, 1], { learningRate: 0.1 }))?.applied).toBe(true);
    model.dispose();
  });

  it('leaves the tensors it is given alive and owns the parameters it takes', async () => {
    const model = await backend.compile(mlp([4, 3]), classes, { seed: 1 });
    const at = model.parameters.map((p) => tf.mul(p, 2));
    const upstream = tf.ones([2, 3]);
    for (const t of (await model.evaluate([0, 1], { gradient: true, parameters: at })).gradient ?? []) t.dispose();
    for (const t of (await model.evaluate([0, 1], { outputGradient: upstream })).gradient ?? []) t.dispose();
    expect([...at, upstream].every((t) => !t.isDisposed)).toBe(true);

    const old = model.parameters;
    model.setParameters(old); // the same tensors: nothing is freed
    expect(old.every((t) => !t.isDisposed)).toBe(true);
    // Tensors made inside a tidy survive it once the model owns them.
    tf.tidy(() => model.setParameters(at.map((t) => tf.add(t, 1))));
    expect(
      old.every((t) => t.isDisposed),
      'the replaced parameters are freed',
    ).toBe(true);
    expect((await model.readParameters())[1]).toEqual(new Float32Array(3).fill(1)); // 2·0 + 1
    expect(() => model.writeParameters([new Float32Array(12)])).toThrow(
      'writeParameters (number of tensors): expected shape [2], got [1]',
    );
    await expect(model.predict(new Float32Array(5), 2)).rejects.toThrow(
      'predict features: expected shape [2, 4], got [5]',
    );
    model.dispose();
    tf.dispose([...at, upstream]);
  });

  // @abs/dba README, D6: the Gram and the weighted gradient are those of the
  // per-example gradients, obtained here by evaluating each example alone.
  it('D6: Gram entries and Σ w_i g_i match single-example gradient evaluations', async () => {
    const model = await backend.compile(mlp([4, 5, 3], { activation: 'sigmoid' }), classes, { seed: 3 });
    const batch = [1, 4, 7];
    const weights = Float32Array.from([0.5, -1, 2]);
    const { gram, weightedGradient } = await model.evaluate(batch, { gram: true, exampleWeights: weights });
    const each = await Promise.all(
      batch.map(async (k) => readList(model, (await model.evaluate([k], { gradient: true })).gradient)),
    );
    const weighted = await readList(model, weightedGradient);
    model.layers.forEach((layer, l) => {
      batch.forEach((_, i) =>
        batch.forEach((__, j) => {
          let dot = 0;
          for (const p of layer.parameters) {
            const gi = each[i]?.[p] as Float32Array;
            const gj = each[j]?.[p] as Float32Array;
            gi.forEach((v, e) => (dot += v * (gj[e] as number)));
          }
          expect(gram?.[l]?.[i * batch.length + j]).toBeCloseTo(dot, 6);
        }),
      );
      for (const p of layer.parameters) {
        const sum = (weighted[p] as Float32Array).map((_, e) =>
          batch.reduce((s, __, i) => s + (weights[i] as number) * (each[i]?.[p]?.[e] as number), 0),
        );
        expect(maxRelativeDifference(weighted[p] as Float32Array, sum)).toBeLessThan(1e-5);
      }
    });
    model.dispose();
  });

  // @abs/cabs README, C2: A = [[1,2],[0,−1],[3,1]], W = [[0.5,−1],[2,0]], T = [[1,0],[0,1],[1,1]],
  // Z = AW = [[4.5,−1],[−2,0],[3.5,−3]]; M_W = (1/m)(A∘A)ᵀ(Δ∘Δ) with Δ = Z − T.
  it('C2: mean gradient and second moment of a dense layer (mse, m = 3)', async () => {
    const data: Dataset = {
      name: 'C2',
      size: 3,
      featureShape: [2],
      features: Float32Array.from([1, 2, 0, -1, 3, 1]),
      targets: Float32Array.from([1, 0, 0, 1, 1, 1]),
      targetSize: 2,
    };
    const model = await backend.compile(mlp([2, 2], { activation: 'identity', loss: 'mse' }), data, {
      parameters: [Float32Array.from([0.5, -1, 2, 0]), new Float32Array(2)],
    });
    const r = await model.evaluate([0, 1, 2], { gradient: true, secondMoment: true, outputs: true });
    expect(Array.from(await model.ops.read(r.outputs as Tensor))).toEqual([4.5, -1, -2, 0, 3.5, -3]);
    const [gW, gb] = await readList(model, r.gradient);
    const [mW, mb] = await readList(model, r.secondMoment);
    [3.6667, -4.3333, 3.8333, -1.6667].forEach((v, i) => expect(gW?.[i]).toBeCloseTo(v, 4));
    [22.8333, 48.3333, 19.75, 7.0].forEach((v, i) => expect(mW?.[i]).toBeCloseTo(v, 4));
    [1.3333, -2].forEach((v, i) => expect(gb?.[i]).toBeCloseTo(v, 4));
    [7.5, 6].forEach((v, i) => expect(mb?.[i]).toBeCloseTo(v, 4));
    model.dispose();
  });

  // @abs/dba README, D5: with W = 0, b = 0 and mse, Δ = z − t = −t, so targets −Δ give D5's Δ.
  it('D5: (ΔΔᵀ)∘([A,1][A,1]ᵀ) equals the Gram of per-sample gradients', async () => {
    const A = [0.13, -0.13, 0.64, 0.1, -0.54, 0.36, 1.3, 0.95, -0.7, -1.27, -0.62, 0.04];
    const delta = [-2.33, -0.22, -1.25, -0.73, -0.54, -0.32, 0.41, 1.04];
    const data: Dataset = {
      name: 'D5',
      size: 4,
      featureShape: [3],
      features: Float32Array.from(A),
      targets: Float32Array.from(delta.map((d) => -d)),
      targetSize: 2,
    };
    const model = await backend.compile(mlp([3, 2], { activation: 'identity', loss: 'mse' }), data, {
      parameters: [new Float32Array(6), new Float32Array(2)],
    });
    const { gram } = await model.evaluate([0, 1, 2, 3], { gram: true });
    const expected = [
      [7.905935, 4.036824, 0.793839, -1.114357],
      [4.036824, 2.998936, 0.331639, -1.554272],
      [0.793839, 0.331639, 1.608505, 0.702726],
      [-1.114357, -1.554272, 0.702726, 3.747725],
    ];
    // float32 arithmetic: agreement to 5 decimals of the printed values.
    expected.flat().forEach((v, i) => expect(gram?.[0]?.[i]).toBeCloseTo(v, 5));
    model.dispose();
  });
});
