import {
  adam,
  BatchTooSmallError,
  type Capability,
  createRng,
  decodeState,
  EmptyBatchError,
  encodeState,
  fixedBatch,
  type HostTensor,
  type Model,
  NonFiniteError,
  sgd,
  TrainingError,
  train,
  UnsupportedCapabilityError,
} from '@abs/core';
import { createMockModel } from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { D1_TARGETS, D3_LAYER_A, D3_LAYER_B } from './__fixtures__/dba-vectors';
import { dba } from './dba';

/** ℓ_i(w) = ½(w·x_i − y_i)² with x_i = 1 (TV-D1): g_i = w − y_i. */
function leastSquaresModel(y: readonly number[]) {
  return createMockModel({
    shapes: [[1]],
    initial: [new Float32Array([0])],
    size: y.length,
    perExample: (i, [w]) => {
      const r = (w?.[0] as number) - (y[i] as number);
      return { loss: 0.5 * r * r, gradient: [[r]] };
    },
  });
}

/** One scalar parameter per layer, ℓ_i(θ) = Σ_ℓ c_ℓ,i·θ_ℓ: per-sample gradients c_ℓ,i at every θ. */
function linearModel(perLayer: readonly (readonly number[])[], losses?: readonly number[]) {
  return createMockModel({
    shapes: perLayer.map(() => [1]),
    initial: perLayer.map(() => new Float32Array([0])),
    size: (perLayer[0] as readonly number[]).length,
    perExample: (i, theta) => ({
      loss: losses?.[i] ?? perLayer.reduce((s, c, l) => s + (c[i] as number) * (theta[l]?.[0] as number), 0),
      gradient: perLayer.map((c) => [c[i] as number]),
    }),
  });
}

const values = (model: Model<HostTensor>) => model.parameters.map((p) => p.data[0] as number);

async function oneStep(model: Model<HostTensor>, options: Parameters<typeof dba>[0]) {
  const algorithm = dba(options);
  const state = await algorithm.init(model, { seed: 3 });
  return (await algorithm.step(model, state)).report;
}

describe('dba through the Algorithm (mock model)', () => {
  it('TV-D1: argmin, m_min = 2, SGD η = 0.1 from w = 0 gives w = 0.106 (varmean and nsr)', async () => {
    for (const metric of ['varmean', 'nsr'] as const) {
      const model = leastSquaresModel(D1_TARGETS);
      const report = await oneStep(model, {
        batchSize: 5,
        metric,
        mode: 'argmin',
        minSubset: 2,
        optimizer: sgd({ learningRate: 0.1 }),
      });
      // S = {0, 3}: update (−1 − 1.12)/2 = −1.06; w = 0 − 0.1·(−1.06) = 0.106 (float32 parameters).
      expect(values(model)[0]).toBeCloseTo(0.106, 7);
      expect(report.selected).toEqual([2]);
      expect(report.meanSelected).toBe(2);
      expect(report.metricBefore[0]).toBeCloseTo(metric === 'varmean' ? 0.533616 : 8.537856, 6);
      expect(report.metricAfter[0]).toBeCloseTo(metric === 'varmean' ? 0.0018 : 0.00160199, 8);
      // Mean loss ½·mean(y²) = ½·13.6529/5 = 1.36529.
      expect(report).toMatchObject({ step: 1, batchSize: 5, learningRate: 0.1, examplesSeen: 5, minSubset: 2 });
      expect(report.loss).toBeCloseTo(1.36529, 12);
    }
  });

  it('TV-D2: threshold τ = 0.5 keeps {0, 1, 2, 3}: w = 0.10625 (mean) or 0.085 (sumOverN)', async () => {
    const common = { batchSize: 5, tau: 0.5, minSubset: 2, optimizer: sgd({ learningRate: 0.1 }) } as const;
    for (const [update, w] of [
      ['mean', 0.10625],
      ['sumOverN', 0.085],
    ] as const) {
      for (const metric of ['varmean', 'nsr'] as const) {
        const model = leastSquaresModel(D1_TARGETS);
        const report = await oneStep(model, { ...common, metric, update });
        // −0.1·(−1.0625) and −0.1·(−4.25/5).
        expect(values(model)[0]).toBeCloseTo(w, 7);
        expect(report.selected).toEqual([4]);
      }
    }
  });

  it('TV-D3: per-layer selection gives θ = −0.1·[1.05, 0.525]; global gives −0.1·[1.075, 0.575]', async () => {
    const common = { batchSize: 5, tau: 0.5, minSubset: 2, optimizer: sgd({ learningRate: 0.1 }) } as const;
    const layer = linearModel([D3_LAYER_A, D3_LAYER_B]);
    const perLayer = await oneStep(layer, common);
    expect(values(layer)[0]).toBeCloseTo(-0.105, 7);
    expect(values(layer)[1]).toBeCloseTo(-0.0525, 7);
    expect(perLayer.selected).toEqual([3, 4]);
    expect(perLayer.meanSelected).toBe(3.5);
    expect(perLayer.metricBefore).toHaveLength(2);

    const global = linearModel([D3_LAYER_A, D3_LAYER_B]);
    const report = await oneStep(global, { ...common, scope: 'global' });
    expect(values(global)[0]).toBeCloseTo(-0.1075, 7);
    expect(values(global)[1]).toBeCloseTo(-0.0575, 7);
    expect(report.selected).toEqual([2, 2]);
    expect(report.metricBefore).toHaveLength(1);

    // nsr: the same per-layer subsets; global nsr keeps all five, update [1.81, 0.02].
    const nsrLayer = linearModel([D3_LAYER_A, D3_LAYER_B]);
    expect((await oneStep(nsrLayer, { ...common, metric: 'nsr' })).selected).toEqual([3, 4]);
    const nsrGlobal = linearModel([D3_LAYER_A, D3_LAYER_B]);
    expect((await oneStep(nsrGlobal, { ...common, metric: 'nsr', scope: 'global' })).selected).toEqual([5, 5]);
    expect(values(nsrGlobal)[0]).toBeCloseTo(-0.181, 7);
    expect(values(nsrGlobal)[1]).toBeCloseTo(-0.002, 7);
  });

  it('TV-D4: identical gradients keep every example and step along the shared gradient', async () => {
    const model = linearModel([Array(6).fill(0.75), Array(6).fill(-2)]);
    const report = await oneStep(model, { batchSize: 6, mode: 'argmin', optimizer: sgd({ learningRate: 0.1 }) });
    expect(report.selected).toEqual([6, 6]);
    expect(report.metricBefore).toEqual([0, 0]);
    expect(values(model)[0]).toBeCloseTo(-0.075, 7);
    expect(values(model)[1]).toBeCloseTo(0.2, 7);
  });
});

describe('dba edge cases (README “API”)', () => {
  it('a dataset smaller than batchSize makes N the dataset size, and says so', async () => {
    const report = await oneStep(leastSquaresModel(D1_TARGETS), { optimizer: sgd({ learningRate: 0.1 }) });
    expect(report).toMatchObject({ batchSize: 5, requestedBatchSize: 64, minSubset: 2, examplesSeen: 5 });
  });

  it('N ≤ m_min keeps the whole batch: the step is the plain base step (adam), batches always N', async () => {
    const y = [0.5, -1, 2, 7, 3, 1.5, -0.25];
    const viaDba = leastSquaresModel(y);
    const plain = leastSquaresModel(y);
    const a = dba({ batchSize: 4, minSubset: 4, optimizer: adam({ learningRate: 0.1 }) });
    const b = fixedBatch({ batchSize: 4, optimizer: adam({ learningRate: 0.1 }) });
    let sa = await a.init(viaDba, { seed: 5 });
    let sb = await b.init(plain, { seed: 5 });
    for (let k = 0; k < 5; k++) {
      const ra = await a.step(viaDba, sa);
      const rb = await b.step(plain, sb);
      sa = ra.state;
      sb = rb.state;
      // 7 examples, batches of 4: the second batch wraps into the next epoch, never partial.
      expect(ra.report).toMatchObject({ batchSize: 4, selected: [4], loss: rb.report.loss });
      // 1/4 is exact in float32, so Σ (1/4)·g_i and (1/4)·Σ g_i round alike.
      expect(values(viaDba)).toEqual(values(plain));
    }
  });

  it('an empty dataset is an EmptyBatchError, a dataset of 1 a BatchTooSmallError', async () => {
    const algorithm = dba({ optimizer: sgd({ learningRate: 0.1 }) });
    await expect(algorithm.init(leastSquaresModel([]), { seed: 0 })).rejects.toThrow(EmptyBatchError);
    await expect(algorithm.init(leastSquaresModel([]), { seed: 0 })).rejects.toThrow(
      'dba: the batch is empty (0 examples)',
    );
    const one = leastSquaresModel([1]);
    await expect(algorithm.init(one, { seed: 0 })).rejects.toThrow(BatchTooSmallError);
    await expect(algorithm.init(one, { seed: 0 })).rejects.toThrow(
      'dba: DBA needs ≥ 2 examples to select from (got 1, need ≥ 2)',
    );
    // A state made for a larger dataset does not get past the same check in `step`.
    const state = await algorithm.init(leastSquaresModel([1, 2]), { seed: 0 });
    await expect(algorithm.step(one, state)).rejects.toThrow(BatchTooSmallError);
  });

  it('a model without the Gram capability is rejected at init', async () => {
    const model = leastSquaresModel([1, 2, 3]);
    const limited = { ...model, capabilities: new Set<Capability>(['loss', 'gradient']) } as Model<HostTensor>;
    await expect(dba().init(limited, { seed: 0 })).rejects.toThrow(
      "backend 'mock' does not support capability 'gram': needed by dba",
    );
    await expect(dba().init(limited, { seed: 0 })).rejects.toThrow(UnsupportedCapabilityError);
  });

  it('a backend that ignores the weight function is named, with no update', async () => {
    const model = leastSquaresModel([1, 2, 3]);
    const ignoring = {
      ...model,
      evaluate: (batch: readonly number[]) => model.evaluate(batch, { gram: true }),
    } as Model<HostTensor>;
    const algorithm = dba({ optimizer: sgd({ learningRate: 0.1 }) });
    await expect(algorithm.step(ignoring, await algorithm.init(ignoring, { seed: 0 }))).rejects.toThrow(
      "dba: backend 'mock' returned no weighted gradient for exampleWeights computed from the Gram",
    );
    expect(values(model)).toEqual([0]);
  });

  describe('non-finite values stop the step with no update and no optimiser-state change', () => {
    const cases: [string, () => Model<HostTensor>, string][] = [
      ['loss', () => linearModel([[1, 2, 3, 4]], [0, Number.NaN, 0, 0]), 'loss'],
      // A NaN gradient makes the Gram NaN too; the loss is named first.
      [
        'loss before gram',
        () =>
          createMockModel({
            shapes: [[1]],
            initial: [new Float32Array(1)],
            size: 3,
            perExample: (i) => ({ loss: i === 1 ? Number.NaN : 0, gradient: [[i === 1 ? Number.NaN : i]] }),
          }),
        'loss',
      ],
      [
        'gram',
        () =>
          linearModel(
            [
              [1, 2, 3, 4],
              [0.5, Number.POSITIVE_INFINITY, 1, 1],
            ],
            [0, 0, 0, 0],
          ),
        'gram[1]',
      ],
      // Gradients of 1e39 square to a finite float64 Gram (1e78) but their mean overflows float32.
      ['gradient', () => linearModel([Array(4).fill(1e39), [1, 2, 3, 4]], [0, 0, 0, 0]), 'gradient[p0]'],
    ];
    it.each(cases)('%s', async (_, make, quantity) => {
      const model = make();
      const algorithm = dba({ batchSize: 4, optimizer: adam() });
      const state = await algorithm.init(model, { seed: 1 });
      const before = JSON.stringify(await encodeState(model.ops, state));
      const parameters = values(model);
      const error = await algorithm.step(model, state).catch((e: unknown) => e);
      expect(NonFiniteError.isInstance(error)).toBe(true);
      expect((error as NonFiniteError).quantity).toBe(quantity);
      expect((error as NonFiniteError).step).toBe(1);
      expect(values(model)).toEqual(parameters);
      expect(JSON.stringify(await encodeState(model.ops, state))).toBe(before);
    });
  });
});

describe('dba state and config', () => {
  /** Linear regression with the weights in layer 0 and the bias in layer 1, plus two outliers. */
  function regressionModel() {
    const rng = createRng(21);
    const x = Array.from({ length: 40 }, () => [rng.nextNormal(), rng.nextNormal(), rng.nextNormal()]);
    const y = x.map(
      ([a, b, c], i) => 2 * (a as number) - (b as number) + 0.5 * (c as number) + 1 + (i % 17 === 0 ? 9 : 0),
    );
    return createMockModel({
      shapes: [[3], [1]],
      initial: [new Float32Array(3), new Float32Array(1)],
      size: 40,
      perExample: (i, [w, b]) => {
        const xi = x[i] as number[];
        const r = xi.reduce((s, v, e) => s + v * (w?.[e] as number), b?.[0] as number) - (y[i] as number);
        return { loss: 0.5 * r * r, gradient: [xi.map((v) => r * v), [r]] };
      },
    });
  }
  const algorithm = () => dba({ batchSize: 8, optimizer: adam({ learningRate: 0.05 }) });

  it('the state round-trips through JSON and a resumed run reproduces the uninterrupted one exactly', async () => {
    const whole = regressionModel();
    const full = await train(whole, algorithm(), { steps: 12, seed: 4 });
    const half = await train(regressionModel(), algorithm(), { steps: 5, seed: 4 });
    const saved = JSON.parse(JSON.stringify(await half.checkpoint()));
    const resumedModel = regressionModel();
    const rest = await train(resumedModel, algorithm(), { steps: 12, seed: 4, resume: saved });
    expect(rest.trace).toEqual(full.trace);
    expect(await resumedModel.readParameters()).toEqual(await whole.readParameters());
    // The state itself: step, sampler and optimiser, nothing else.
    const model = regressionModel();
    const state = await algorithm().init(model, { seed: 2 });
    const json = JSON.parse(JSON.stringify(await encodeState(model.ops, state)));
    expect(Object.keys(json).sort()).toEqual(['optimizer', 'sampler', 'step']);
    expect(await encodeState(model.ops, decodeState(model.ops, json))).toEqual(json);
  });

  it('training on a least-squares problem with outliers lowers the loss', async () => {
    const run = await train(regressionModel(), algorithm(), { steps: 150, seed: 1 });
    const first = (run.trace[0]?.loss ?? 0) as number;
    expect(run.recentLoss).toBeLessThan(0.5 * first);
    // The outlier examples (loss ≈ ½·9²) are dropped whenever they are drawn with a tight batch.
    expect(run.trace.some((r) => r.meanSelected < 8)).toBe(true);
  });

  it('exposes name, JSON config and required capabilities', () => {
    const algorithm = dba({ batchSize: 32, optimizer: sgd({ learningRate: 0.1 }) });
    expect(algorithm.name).toBe('dba');
    expect(algorithm.requires).toEqual(['loss', 'gram', 'exampleWeights']);
    expect(algorithm.config).toEqual({
      batchSize: 32,
      metric: 'varmean',
      mode: 'threshold',
      tau: 0.5,
      minSubset: null,
      update: 'mean',
      scope: 'layer',
      optimizer: { name: 'sgd', learningRate: 0.1, weightDecay: 0 },
    });
    expect(JSON.parse(JSON.stringify(algorithm.config))).toEqual(algorithm.config);
  });
});

describe('dba applies an update only when the new parameters are finite', () => {
  it('an update that overflows float32 → NonFiniteError naming the parameter; the model keeps w_1', async () => {
    // TV-D1's model with y = 1..4, w_0 = 0, η = 1e36 and the whole batch selected: w_1 = 2.5e36 is a
    // float32, w_2 = w_1 − η·(w_1 − ȳ) ≈ −2.5e72 is not, though the loss and gradient at w_1 are finite.
    const model = leastSquaresModel([1, 2, 3, 4]);
    const algorithm = dba({ batchSize: 4, minSubset: 4, optimizer: sgd({ learningRate: 1e36 }) });
    const failure = await train(model, algorithm, { steps: 5 }).catch((e: unknown) => e);
    expect(TrainingError.isInstance(failure)).toBe(true);
    const cause = (failure as TrainingError).cause as NonFiniteError;
    expect([NonFiniteError.isInstance(cause), cause.quantity, cause.step]).toEqual([true, 'parameters[p0]', 2]);
    expect(model.parameters[0]?.data[0]).toBeCloseTo(2.5e36, -31);
  });
});
