import { jsBackend } from '@abs/backend-js';
import { type Dataset, type HostTensor, hostTensor, type Model, mlp } from '@abs/core';
import { createMockModel, createTrackingOps } from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { type CabsReport, type CabsState, cabs } from './cabs';
import { leastSquaresModel, meanEstimationModel, withEvaluate, withoutCapability } from './test-support/models';

async function firstStep(model: Model<HostTensor>, algorithm: ReturnType<typeof cabs>) {
  const state = await algorithm.init(model, { seed: 0 });
  return algorithm.step(model, state);
}

const values = (model: Model<HostTensor>) => model.parameters.map((p) => Array.from(p.data));

// README “Test vectors”, C1: w = (0, 0); ℓ_i = ½(x_iᵀw − y_i)²; m = 4.
const C1_X = [
  [1, 0],
  [0, 1],
  [1, 1],
  [2, -1],
];
const C1_Y = [1, 2, -1, 0.5];

// README “Test vectors”, C2: A = [[1,2],[0,−1],[3,1]], W = [[0.5,−1],[2,0]],
// T = [[1,0],[0,1],[1,1]], ℓ_i = ½‖A_iW − T_i‖², m = 3.
const C2_DATA: Dataset = {
  name: 'C2',
  size: 3,
  featureShape: [2],
  features: Float32Array.from([1, 2, 0, -1, 3, 1]),
  targets: Float32Array.from([1, 0, 0, 1, 1, 1]),
  targetSize: 2,
};

describe('C1: linear least squares, variance and rule', () => {
  const [X, y] = [C1_X, C1_Y];

  it('L = 0.78125, ξ = 1.984375, raw = 0.1003160·α → 16, w = (0.025, 0.0125), cabsInstant = α·ξ/L', async () => {
    // Four copies of the four rows: the default bsMin = 16 batch is the whole set, whose
    // means equal those of the four rows (all values dyadic, so exact in float32).
    // r = Xw − y = (−1, −2, 1, −0.5); L = ½·(1 + 4 + 1 + 0.25)/4 = 0.78125
    // g = (1/4) Σ r_i x_i = (−0.25, −0.125); M = (1/4) Σ r_i² x_i∘x_i = (0.75, 1.3125)
    // v = M − g² = (0.6875, 1.296875); ξ = 1.984375
    const model = leastSquaresModel({ X, y, w: [0, 0], copies: 4 });
    const learningRate = 0.1;
    const { report, state } = await firstStep(model, cabs({ learningRate }));
    expect(report.batchSize).toBe(16);
    expect(report.loss).toBe(0.78125);
    expect(report.xi).toBe(1.984375);
    // ξ̄ = 0.05·ξ, L̄ = 0.95 + 0.05·L = 0.9890625
    expect(report.xiAvg).toBeCloseTo(0.05 * 1.984375, 15);
    expect(report.lossAvg).toBeCloseTo(0.9890625, 15);
    expect(report.rawBatchSize / learningRate).toBeCloseTo(0.100316, 6);
    expect(report.nextBatchSize).toBe(16);
    expect(report.cabsInstant).toBe((learningRate * report.xi) / report.loss);
    expect(report.cabsInstant).toBeCloseTo(2.54 * learningRate, 12);
    // w ← w − α·g = (0.025, 0.0125), stored in float32
    expect(values(model)).toEqual([[Math.fround(0.025), Math.fround(0.0125)]]);
    expect(state).toMatchObject({ step: 1, examplesSeen: 16, nextBatchSize: 16 });
    expect(report).toMatchObject({ step: 1, learningRate, examplesSeen: 16 });
  });
});

describe('C2: dense-layer moment trick on jsBackend', () => {
  const data = C2_DATA;
  const W = Float32Array.from([0.5, -1, 2, 0]);
  const algorithm = () => cabs({ learningRate: 0.1, bsMin: 2, initialBatchSize: 3 });

  it('ξ of the weight = 48.2222 and the SGD step uses ∇W = [[3.6667, −4.3333], [3.8333, −1.6667]]', async () => {
    const model = await jsBackend().compile(mlp([2, 2], { activation: 'identity', loss: 'mse', bias: false }), data, {
      parameters: [W],
    });
    const { report } = await firstStep(model, algorithm());
    // Z − T = [[3.5, −1], [−2, −1], [2.5, −4]]; L = ½·(13.25 + 5 + 22.25)/3 = 6.75
    expect(report.loss).toBeCloseTo(6.75, 6);
    expect(report.batchSize).toBe(3);
    expect(report.xi).toBeCloseTo(48.2222, 4);
    // W − 0.1·∇W
    const gradient = [3.6667, -4.3333, 3.8333, -1.6667];
    values(model)[0]?.forEach((w, i) => expect(w).toBeCloseTo((W[i] as number) - 0.1 * (gradient[i] as number), 4));
    // ξ̄ = 0.05·48.2222, L̄ = 0.95 + 0.05·6.75 = 1.2875 → raw = 0.18727 → bsMin = 2
    expect(report.rawBatchSize).toBeCloseTo((0.1 * 0.05 * 48.22222) / 1.2875, 5);
    expect(report.nextBatchSize).toBe(2);
  });

  it('with a zero bias, ξ of the layer = 48.2222 + 7.72222 = 55.9444 (biases count)', async () => {
    const model = await jsBackend().compile(mlp([2, 2], { activation: 'identity', loss: 'mse' }), data, {
      parameters: [W, new Float32Array(2)],
    });
    const { report } = await firstStep(model, algorithm());
    expect(report.xi).toBeCloseTo(55.9444, 4);
    // bias: g_b = (1.3333, −2) → b = −0.1·g_b
    const [, bias] = values(model);
    expect(bias?.[0]).toBeCloseTo(-0.13333, 5);
    expect(bias?.[1]).toBeCloseTo(0.2, 6);
  });
});

describe('ξ from per-example gradient norms or from second moments', () => {
  // Σ_j M_j = (1/m) Σ_i ‖g_i‖²: models with `perExampleGradientNormSquared` give ξ without
  // per-parameter moments; hiding that capability makes CABS take the moment path.
  const C1 = { X: C1_X, y: C1_Y, w: [0, 0], copies: 4 };

  it('C1 gives ξ = 1.984375 both ways, and the same run step for step', async () => {
    const run = async (model: Model<HostTensor>) => {
      const algorithm = cabs({ learningRate: 0.1, bsMin: 2, bsMax: 16, initialBatchSize: 16 });
      let state = await algorithm.init(model, { seed: 4 });
      const reports: CabsReport[] = [];
      for (let t = 0; t < 8; t++) {
        const result = await algorithm.step(model, state);
        state = result.state;
        reports.push(result.report);
      }
      return { reports, parameters: values(model) };
    };
    const norms = await run(leastSquaresModel(C1));
    const moments = await run(withoutCapability(leastSquaresModel(C1), 'perExampleGradientNormSquared'));
    expect(norms.reports[0]?.xi).toBe(1.984375);
    expect(moments.reports[0]?.xi).toBe(1.984375);
    expect(norms.reports.map((r) => r.batchSize)).toEqual(moments.reports.map((r) => r.batchSize));
    norms.reports.forEach((r, t) => expect(r.xi).toBeCloseTo(moments.reports[t]?.xi as number, 6));
    expect(norms.parameters).toEqual(moments.parameters);
  });

  it('C2 on jsBackend: ξ = 55.9444 both ways (weight and bias)', async () => {
    const spec = mlp([2, 2], { activation: 'identity', loss: 'mse' });
    const parameters = [Float32Array.from([0.5, -1, 2, 0]), new Float32Array(2)];
    for (const hide of [false, true]) {
      const compiled = await jsBackend().compile(spec, C2_DATA, { parameters });
      const model = hide ? withoutCapability(compiled, 'perExampleGradientNormSquared') : compiled;
      const { report } = await firstStep(model, cabs({ learningRate: 0.1, bsMin: 2, initialBatchSize: 3 }));
      expect(report.xi, hide ? 'moments' : 'norms').toBeCloseTo(55.9444, 4);
    }
  });

  it('with norms, CABS never asks for second moments', async () => {
    // The mock refuses any statistic outside its capabilities.
    const model = createMockModel({
      shapes: [[2]],
      initial: [new Float32Array(2)],
      size: 16,
      capabilities: ['loss', 'gradient', 'perExampleGradientNormSquared'],
      perExample: (k, p) => {
        const x = C1.X[k % 4] as number[];
        const r = x.reduce((s, xj, j) => s + xj * (p[0]?.[j] as number), 0) - (C1.y[k % 4] as number);
        return { loss: 0.5 * r * r, gradient: [x.map((xj) => r * xj)] };
      },
    });
    const { report } = await firstStep(model, cabs({ learningRate: 0.1 }));
    expect(report.xi).toBe(1.984375);
  });
});

describe('C6: analytic invariant of mean estimation', () => {
  // README “Test vectors”, C6: at w = ȳ, tr Σ is the summed population variance of y
  // and L is half of it, so α·ξ/L = 2α exactly, whatever the noise level.
  it('y = (−1, 1), w = 0: α·1/0.5 = 2α', async () => {
    const model = meanEstimationModel([[-1], [1]], [0]);
    const { report } = await firstStep(model, cabs({ learningRate: 0.25, bsMin: 2 }));
    expect(report.xi).toBe(1);
    expect(report.loss).toBe(0.5);
    expect(report.cabsInstant).toBe(0.5);
  });

  it('in three dimensions at w = ȳ = (1, 0, 1)', async () => {
    // r_i = w − y_i: (0,−2,1), (−2,2,−3), (2,0,−1), (0,0,3); ξ = mean ‖r_i‖² = 36/4 = 9, L = 4.5
    const y = [
      [1, 2, 0],
      [3, -2, 4],
      [-1, 0, 2],
      [1, 0, -2],
    ];
    for (const learningRate of [0.25, 0.1]) {
      const model = meanEstimationModel(y, [1, 0, 1]);
      const { report } = await firstStep(model, cabs({ learningRate, bsMin: 2, initialBatchSize: 4 }));
      expect(report.xi).toBe(9);
      expect(report.loss).toBe(4.5);
      expect(report.cabsInstant).toBeCloseTo(2 * learningRate, 15);
    }
  });
});

/** A model whose every batch has L = 2 and M = (2000) with g = 0, so ξ = 2000 at each step. */
function constantStatisticsModel(size: number): Model<HostTensor> {
  const base = createMockModel({
    shapes: [[1]],
    initial: [new Float32Array(1)],
    size,
    perExample: () => ({ loss: 2, gradient: [[0]] }),
  });
  return withEvaluate(base, async (batch) => ({
    batchSize: batch.length,
    loss: 2,
    gradient: [hostTensor(new Float32Array(1), [1])],
    secondMoment: [hostTensor(Float32Array.from([2000]), [1])],
  }));
}

describe('C4 through the algorithm', () => {
  // README “Test vectors”, C4, with the table's batch size as the step's nextBatchSize.
  it('reports the table at every listed step and uses it for the next batch', async () => {
    const model = constantStatisticsModel(256);
    const algorithm = cabs({ learningRate: 0.1 });
    let state = await algorithm.init(model, { seed: 3 });
    const reports: CabsReport[] = [];
    for (let t = 1; t <= 300; t++) {
      const result = await algorithm.step(model, state);
      state = result.state;
      reports.push(result.report);
    }
    const table: [number, number, number][] = [
      [1, 9.52, 16],
      [2, 17.77, 18],
      [3, 24.96, 25],
      [5, 36.9, 37],
      [10, 57.27, 57],
      [15, 69.85, 70],
      [20, 78.16, 78],
      [30, 87.98, 88],
      [45, 94.77, 95],
      [60, 97.64, 98],
      [300, 100, 100], // the limit: 200·(1 − μ^300)/(2 − μ^300) = 100 − 2e-5
    ];
    for (const [t, raw, size] of table) {
      expect(reports[t - 1]?.rawBatchSize, `raw at step ${t}`).toBeCloseTo(raw, 2);
      expect(reports[t - 1]?.nextBatchSize, `batch size after step ${t}`).toBe(size);
    }
    expect(reports[0]?.batchSize).toBe(16);
    reports.slice(1).forEach((r, i) => expect(r.batchSize).toBe(reports[i]?.nextBatchSize));
    const total = reports.reduce((s, r) => s + r.batchSize, 0);
    expect((state as CabsState).examplesSeen).toBe(total);
  });

  it('caps every batch at the dataset size (bsMaxEff = min(bsMax, N))', async () => {
    const model = constantStatisticsModel(40);
    const algorithm = cabs({ learningRate: 0.1 });
    let state = await algorithm.init(model, { seed: 1 });
    let last: CabsReport | undefined;
    for (let t = 1; t <= 20; t++) {
      const result = await algorithm.step(model, state);
      state = result.state;
      last = result.report;
    }
    // raw at step 20 is 78.16, above N = 40: full-batch steps
    expect(last?.nextBatchSize).toBe(40);
    expect(last?.batchSize).toBe(40);
  });
});

describe('tensor hygiene', () => {
  it('disposes g, M and every temporary; the only new tensor is the new parameter', async () => {
    const ops = createTrackingOps();
    const base = createMockModel({
      shapes: [[3]],
      initial: [new Float32Array(3)],
      size: 8,
      perExample: () => ({ loss: 1, gradient: [[0, 0, 0]] }),
    });
    const model = withEvaluate(base, async (batch) => ({
      batchSize: batch.length,
      loss: 1,
      gradient: [ops.fromArray(Float32Array.from([1, 2, 3]), [3])],
      secondMoment: [ops.fromArray(Float32Array.from([2, 5, 10]), [3])],
    }));
    Object.defineProperty(model, 'ops', { value: ops });
    const algorithm = cabs({ learningRate: 0.5, bsMin: 2, bsMax: 8 });
    const { report } = await algorithm.step(model, await algorithm.init(model, { seed: 0 }));
    expect(report.xi).toBe(3); // (2 − 1) + (5 − 4) + (10 − 9)
    expect(ops.live()).toBe(1);
    expect(Array.from(model.parameters[0]?.data ?? [])).toEqual([-0.5, -1, -1.5]);
  });
});
