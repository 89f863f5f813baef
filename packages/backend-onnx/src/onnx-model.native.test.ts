import { jsBackend } from '@abs/backend-js';
import {
  type Dataset,
  type EvaluateRequest,
  fixedBatch,
  type HostTensor,
  hostTensor,
  type Model,
  type ModelSpec,
  mlp,
  sgd,
  train,
} from '@abs/core';
import { conformanceDataset, maxRelativeDifference } from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { onnxBackend } from './onnx-backend';

const unavailable = await import('onnxruntime-node').then(
  () => undefined,
  (error: unknown) => String(error),
);
const describeNative = unavailable ? describe.skip : describe;
if (unavailable) it.skip(`onnx model tests (skipped: onnxruntime-node cannot load: ${unavailable})`, () => {});

const read = (m: Model<HostTensor>, list: readonly (HostTensor | undefined)[] | undefined) =>
  Promise.all((list ?? []).map((t) => (t ? m.ops.read(t) : Promise.resolve(undefined))));

/** Compiles the same spec, seed and data on onnx and on the reference backend. */
async function pair(spec: ModelSpec, dataset: Dataset) {
  const model = await onnxBackend().compile(spec, dataset, { seed: 3 });
  const oracle = await jsBackend().compile(spec, dataset, { seed: 3 });
  return { model, oracle };
}

async function expectSameLists(
  what: string,
  [m, actual]: [Model<HostTensor>, readonly (HostTensor | undefined)[] | undefined],
  [o, expected]: [Model<HostTensor>, readonly (HostTensor | undefined)[] | undefined],
  tolerance: number,
) {
  const a = await read(m, actual);
  const e = await read(o, expected);
  expect(a.length, `${what} length`).toBe(e.length);
  e.forEach((values, i) => {
    if (values === undefined) expect(a[i], `${what}[${i}] absent`).toBeUndefined();
    else expect(maxRelativeDifference(a[i] ?? [], values), `${what}[${i}]`).toBeLessThan(tolerance);
  });
}

describeNative('onnx model beyond the conformance suite', () => {
  const batch = [4, 1, 9, 0, 7];

  for (const activation of ['relu', 'tanh', 'sigmoid', 'identity'] as const) {
    it(`gradient matches central finite differences of the float32 loss (${activation})`, async () => {
      const data = conformanceDataset({ size: 10, width: 4, classes: 3, seed: 8 });
      const model = await onnxBackend().compile(mlp([4, 5, 3], { activation }), data, { seed: 2 });
      const analytic = await read(model, (await model.evaluate(batch, { gradient: true })).gradient);
      const base = await model.readParameters();
      // float32 losses (relative rounding ~6e-8 on a loss ~1) limit the step: with h = 1e-2 the
      // rounding noise is ~1e-5 and the O(h²) truncation ~1e-5, well inside 2e-3.
      const h = 1e-2;
      for (let p = 0; p < base.length; p++) {
        for (let j = 0; j < (base[p] as Float32Array).length; j += 2) {
          const lossAt = async (delta: number) => {
            const shifted = base.map((t, q) => {
              const c = t.slice();
              if (q === p) c[j] = (c[j] as number) + delta;
              return hostTensor(c, model.parameterInfo[q]?.shape as number[]);
            });
            return (await model.evaluate(batch, { parameters: shifted })).loss;
          };
          const x = base[p]?.[j] as number;
          const step = Math.fround(x + h) - Math.fround(x - h);
          const numeric = ((await lossAt(h)) - (await lossAt(-h))) / step;
          expect(
            Math.abs((analytic[p]?.[j] as number) - numeric),
            `${model.parameterInfo[p]?.name}[${j}]`,
          ).toBeLessThan(2e-3);
        }
      }
      model.dispose();
    });
  }

  // Specs and request combinations the shared suite does not cover.
  const combos: { title: string; spec: ModelSpec; regression: boolean; request: EvaluateRequest<HostTensor> }[] = [
    {
      title: 'identity activation, mse on one-hot labels, every statistic at once',
      spec: mlp([4, 6, 3], { activation: 'identity', loss: 'mse' }),
      regression: false,
      request: {
        gradient: true,
        secondMoment: true,
        gram: true,
        perExampleLoss: true,
        outputs: true,
        features: { layer: 1 },
        exampleWeights: (gram) => gram.map((k) => Float32Array.from({ length: 5 }, (_, i) => k[i * 6] as number)),
      },
    },
    {
      title: 'relu without bias, three layers, weights shared by all layers',
      spec: mlp([4, 5, 4, 3], { bias: false }),
      regression: false,
      request: { gradient: true, secondMoment: true, exampleWeights: Float32Array.from([1, -2, 0.5, 0, 3]) },
    },
    {
      title: 'replaced features with parameter statistics (layers below are absent)',
      spec: mlp([4, 5, 4, 3], { activation: 'tanh' }),
      regression: false,
      request: {
        gradient: true,
        secondMoment: true,
        gram: true,
        exampleWeights: () => [0, 1, 2].map(() => Float32Array.from([1, 2, 3, 4, 5])),
        features: { layer: 2 },
        replaceFeatures: {
          layer: 1,
          features: hostTensor(
            Float32Array.from({ length: 25 }, (_, i) => Math.sin(i)),
            [5, 5],
          ),
        },
      },
    },
    {
      title: 'upstream gradient with second moments, Gram and replaced features',
      spec: mlp([4, 5, 3], { activation: 'sigmoid', loss: 'mse' }),
      regression: true,
      request: {
        outputGradient: hostTensor(
          Float32Array.from({ length: 15 }, (_, i) => Math.cos(i)),
          [5, 3],
        ),
        secondMoment: true,
        gram: true,
        // Gram matrices exist only from the replaced layer up (gram[0] is a hole, as in the reference).
        exampleWeights: (gram) => {
          expect(gram[0]).toBeUndefined();
          return [0, 1].map(() => Float32Array.from([0.2, 0.4, 0.6, 0.8, 1]));
        },
        replaceFeatures: {
          layer: 1,
          features: hostTensor(
            Float32Array.from({ length: 25 }, (_, i) => Math.cos(i / 3)),
            [5, 5],
          ),
        },
        features: { layer: 1 },
      },
    },
  ];
  for (const { title, spec, regression, request } of combos) {
    it(`agrees with the reference: ${title}`, async () => {
      const data = conformanceDataset({ size: 10, width: 4, classes: 3, seed: 6, regression });
      const { model, oracle } = await pair(spec, data);
      const a = await model.evaluate(batch, request);
      const e = await oracle.evaluate(batch, request);
      if (Number.isNaN(e.loss)) expect(a.loss).toBeNaN();
      else expect(maxRelativeDifference([a.loss], [e.loss])).toBeLessThan(1e-4);
      expect(maxRelativeDifference(a.perExampleLoss ?? [], e.perExampleLoss ?? [])).toBeLessThan(1e-4);
      await expectSameLists('gradient', [model, a.gradient], [oracle, e.gradient], 1e-4);
      await expectSameLists('secondMoment', [model, a.secondMoment], [oracle, e.secondMoment], 1e-3);
      await expectSameLists('weightedGradient', [model, a.weightedGradient], [oracle, e.weightedGradient], 1e-4);
      await expectSameLists(
        'features, featureGradient, outputs',
        [model, [a.features, a.featureGradient, a.outputs]],
        [oracle, [e.features, e.featureGradient, e.outputs]],
        1e-4,
      );
      expect(a.gram?.length).toBe(e.gram?.length);
      e.gram?.forEach((k, l) => expect(maxRelativeDifference(a.gram?.[l] ?? [], k), `gram[${l}]`).toBeLessThan(1e-3));
      model.dispose();
    });
  }

  it('builds one session per request signature and reuses it for any batch and parameters', async () => {
    const data = conformanceDataset({ size: 16, width: 4, classes: 3, seed: 1 });
    const model = await onnxBackend().compile(mlp([4, 5, 3]), data, { seed: 1 });
    expect(model.sessionStats()).toEqual({ sessions: 0, runs: 0 });
    await model.evaluate([0, 1, 2], { gradient: true });
    expect(model.sessionStats()).toEqual({ sessions: 1, runs: 1 });
    // Same signature: another batch size, other parameters, updated model parameters.
    await model.evaluate([3, 4, 5, 6, 7, 8, 9], { gradient: true });
    await model.evaluate([1], { gradient: true, parameters: model.parameters.map((p) => model.ops.scale(p, 2)) });
    model.setParameters(model.parameters.map((p) => model.ops.scale(p, 0.5)));
    await model.evaluate([2, 3], { gradient: true });
    expect(model.sessionStats()).toEqual({ sessions: 1, runs: 4 });
    // A different signature builds one more session, once.
    await model.evaluate([0, 1], { gradient: true, secondMoment: true });
    await model.evaluate([5, 6, 7], { gradient: true, secondMoment: true });
    expect(model.sessionStats()).toEqual({ sessions: 2, runs: 6 });
    // Weights from the Gram matrices: the Gram pass plus the weighted-gradient graph, two runs.
    const dba: EvaluateRequest<HostTensor> = { gram: true, exampleWeights: (g) => g.map(() => new Float32Array(2)) };
    await model.evaluate([0, 1], dba);
    await model.evaluate([2, 3], dba);
    expect(model.sessionStats()).toEqual({ sessions: 4, runs: 10 });
    // A CABS step (update and ξ in one run) at two batch sizes: one more session, one run each.
    await model.sgdStep?.([0, 1], { learningRate: 0.1 }, { gradientVariance: true });
    await model.sgdStep?.([2, 3, 4], { learningRate: 0.1 }, { gradientVariance: true });
    expect(model.sessionStats()).toEqual({ sessions: 5, runs: 12 });
    // A normalised step is another signature: one more session, still one run per step.
    await model.sgdStep?.([0, 1], { learningRate: 0.1, normalize: { epsilon: 1e-8 } });
    await model.sgdStep?.([2, 3, 4], { learningRate: 0.2, normalize: { epsilon: 1e-6 } });
    expect(model.sessionStats()).toEqual({ sessions: 6, runs: 14 });
    // ...which the plain step does not share.
    await model.sgdStep?.([0, 1], { learningRate: 0.1 });
    expect(model.sessionStats()).toEqual({ sessions: 7, runs: 15 });
    model.dispose();
  });

  it('trains along the reference trajectory with fixedBatch + sgd (20 steps)', async () => {
    const data = conformanceDataset({ size: 64, width: 6, classes: 4, seed: 12 });
    const spec = mlp([6, 8, 4]);
    const { model, oracle } = await pair(spec, data);
    const algorithm = fixedBatch({ optimizer: sgd({ learningRate: 0.2 }), batchSize: 16 });
    const run = await train(model, algorithm, { steps: 20, seed: 4 });
    const reference = await train(oracle, algorithm, { steps: 20, seed: 4 });
    const losses = run.trace.map((r) => r.loss);
    const expected = reference.trace.map((r) => r.loss);
    expect(losses).toHaveLength(20);
    losses.forEach((loss, step) =>
      expect(maxRelativeDifference([loss], [expected[step] as number]), `step ${step + 1}`).toBeLessThan(1e-4),
    );
    expect(losses.at(-1)).toBeLessThan(losses[0] as number);
    model.dispose();
  });

  it('compiles siblings on the same runtime', async () => {
    const data = conformanceDataset({ size: 8, width: 4, classes: 3, seed: 1 });
    const model = await onnxBackend().compile(mlp([4, 3]), data, { seed: 1 });
    const agent = await model.compileSibling(mlp([4, 2, 3], { activation: 'tanh' }), data, { seed: 2 });
    expect(agent.backend).toBe('onnx-cpu');
    const expected = await (
      await jsBackend().compile(mlp([4, 2, 3], { activation: 'tanh' }), data, { seed: 2 })
    ).evaluate([0, 1]);
    expect(maxRelativeDifference([(await agent.evaluate([0, 1])).loss], [expected.loss])).toBeLessThan(1e-4);
    agent.dispose();
    model.dispose();
  });

  it('takes no step whose new parameters overflow, though the loss and gradient are finite', async () => {
    const data = conformanceDataset({ size: 8, width: 4, classes: 3, seed: 2, regression: true });
    const model = await onnxBackend().compile(mlp([4, 5, 3], { loss: 'mse' }), data, { seed: 3 });
    model.writeParameters((await model.readParameters()).map((p) => p.map((v) => v * 30)));
    const before = await model.readParameters();
    const learningRate = 1e38;
    const step = await model.sgdStep?.([0, 1, 2, 3], { learningRate }, { gradient: true });
    expect(Number.isFinite(step?.loss)).toBe(true);
    expect(Number.isFinite(step?.gradientNormSquared)).toBe(true);
    // Some η·g overflows float32 (≈ 3.4e38).
    const largest = Math.max(...(step?.gradient ?? []).flatMap((g) => Array.from(g.data, Math.abs)));
    expect(largest * learningRate).toBeGreaterThan(3.5e38);
    expect(step?.applied).toBe(false);
    expect(await model.readParameters()).toEqual(before);
    expect((await model.sgdStep?.([0, 1, 2, 3], { learningRate: 1e-6 }))?.applied).toBe(true);
    model.dispose();
  });

  it('takes no step whose ξ overflows, though the loss, gradient and new parameters are finite', async () => {
    // One linear unit z = w·x + b at w = b = 0, mse against t = 1, on x = ±1e20: the examples'
    // weight gradients ∓1e20 cancel (ḡ_w = 0, ḡ_b = −1), but each ‖g_i‖² = 1e40 + 1 overflows float32.
    const data: Dataset = {
      name: 'opposed',
      size: 2,
      featureShape: [1],
      features: Float32Array.of(1e20, -1e20),
      targets: Float32Array.of(1, 1),
      targetSize: 1,
    };
    const model = await onnxBackend().compile(mlp([1, 1], { loss: 'mse' }), data, { seed: 1 });
    model.writeParameters([new Float32Array(1), new Float32Array(1)]);
    const plain = await model.sgdStep?.([0, 1], { learningRate: 0.5 }, { gradient: true });
    expect(plain?.applied).toBe(true);
    expect(plain?.loss).toBe(0.5);
    expect([...(plain?.gradient ?? []).flatMap((g) => [...g.data])]).toEqual([0, -1]);
    model.writeParameters([new Float32Array(1), new Float32Array(1)]);
    const step = await model.sgdStep?.([0, 1], { learningRate: 0.5 }, { gradientVariance: true });
    expect(step?.gradientNormSquared).toBe(1);
    expect(step?.gradientVariance).toBe(Number.POSITIVE_INFINITY);
    expect(step?.applied).toBe(false);
    expect(await model.readParameters()).toEqual([new Float32Array(1), new Float32Array(1)]);
    model.dispose();
  });
});
