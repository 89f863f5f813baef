/**
 * DBA on the reference backend: the Gram route of TV-D5, the agreement of TV-D6 with a loop of
 * single-example evaluations, and training with core's `train()` on synthetic blobs.
 */
import { jsBackend } from '@abs/backend-js';
import {
  adam,
  createRng,
  createSamplerState,
  type Dataset,
  type EvaluateRequest,
  fixedBatch,
  type HostTensor,
  type Model,
  mlp,
  sampleBatch,
  sgd,
  train,
} from '@abs/core';
import { maxRelativeDifference } from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { D5_DELTAS, D5_GRAM, D5_INPUTS } from './__fixtures__/dba-vectors';
import { dba } from './dba';
import { summarizeGram } from './gram-summary';
import { selectSubset } from './select-subset';
import { subsetMetric } from './subset-metric';
import { subsetWeights } from './subset-weights';

/** Records every evaluate call of a model, and the Gram matrices its weight function receives. */
function spy(model: Model<HostTensor>) {
  const calls: { indices: number[]; request: EvaluateRequest<HostTensor>; grams: Float64Array[] }[] = [];
  const evaluate: Model<HostTensor>['evaluate'] = (batch, request = {}) => {
    const call = { indices: Array.from(batch), request, grams: [] as Float64Array[] };
    calls.push(call);
    const weights = request.exampleWeights;
    const wrapped =
      typeof weights === 'function'
        ? {
            ...request,
            exampleWeights: (grams: readonly Float64Array[]) => {
              call.grams = grams.map((g) => Float64Array.from(g));
              return weights(grams);
            },
          }
        : request;
    return model.evaluate(batch, wrapped);
  };
  return { model: Object.assign(Object.create(model), { evaluate }) as Model<HostTensor>, calls };
}

/** Random classification data: `size` examples of `width` features, `classes` labels. */
function randomData(size: number, width: number, classes: number, seed: number): Dataset {
  const rng = createRng(seed);
  return {
    name: 'random',
    size,
    featureShape: [width],
    features: Float32Array.from({ length: size * width }, () => rng.nextNormal()),
    labels: Int32Array.from({ length: size }, () => rng.nextInt(classes)),
    numClasses: classes,
  };
}

/** Per-layer flattened single-example gradients g_i^ℓ from one evaluate call per example. */
async function loopGradients(model: Model<HostTensor>, indices: readonly number[]): Promise<number[][][]> {
  const perExample: number[][][] = [];
  for (const k of indices) {
    const { gradient } = await model.evaluate([k], { gradient: true });
    perExample.push(
      model.layers.map((layer) => layer.parameters.flatMap((p) => Array.from(gradient?.[p]?.data ?? []))),
    );
  }
  return model.layers.map((_, l) => perExample.map((g) => g[l] as number[]));
}

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, e) => s + v * (b[e] as number), 0);

function gramOfRows(rows: readonly (readonly number[])[]): Float64Array {
  const n = rows.length;
  const k = new Float64Array(n * n);
  rows.forEach((a, i) => rows.forEach((b, j) => (k[i * n + j] = dot(a, b))));
  return k;
}

describe('dba on @abs/backend-js', () => {
  // README, TV-D5: the Gram DBA selects on is (ΔΔᵀ)∘([A,1][A,1]ᵀ), from one pass.
  it('TV-D5: DBA selects on the exact dense-layer Gram, asked for in one evaluate call', async () => {
    // W = 0, b = 0 and mse: z = 0, so the output gradient is Δ = z − t; targets t = −Δ.
    const data: Dataset = {
      name: 'D5',
      size: 4,
      featureShape: [3],
      features: Float32Array.from(D5_INPUTS),
      targets: Float32Array.from(D5_DELTAS.map((d) => -d)),
      targetSize: 2,
    };
    const compiled = await jsBackend().compile(mlp([3, 2], { activation: 'identity', loss: 'mse' }), data, {
      parameters: [new Float32Array(6), new Float32Array(2)],
    });
    const { model, calls } = spy(compiled);
    const algorithm = dba({ batchSize: 4, optimizer: sgd({ learningRate: 0.1 }) });
    const { report } = await algorithm.step(model, await algorithm.init(model, { seed: 2 }));
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.request.gram).toBe(true);
    expect(call?.request.gradient).toBeUndefined();
    expect(typeof call?.request.exampleWeights).toBe('function');
    // The batch is a permutation of the 4 examples: K[i, j] = D5[idx_i][idx_j] (float32 inputs, 5 digits).
    const idx = call?.indices as number[];
    const gram = call?.grams[0] as Float64Array;
    idx.forEach((a, i) => idx.forEach((b, j) => expect(gram[i * 4 + j]).toBeCloseTo(D5_GRAM[a]?.[b] as number, 5)));
    const expected = subsetMetric('varmean', summarizeGram(Float64Array.from(D5_GRAM.flat())));
    expect(maxRelativeDifference([report.metricBefore[0] as number], [expected])).toBeLessThan(1e-6);
  });

  // README, TV-D6: agreement with the backend's gradients.
  it('TV-D6: the Gram and Σ w_i g_i match a loop of single-example gradients (abs 1e-6)', async () => {
    const data = randomData(20, 4, 3, 5);
    const model = await jsBackend().compile(mlp([4, 5, 3], { activation: 'tanh' }), data, { seed: 3 });
    const indices = [3, 17, 0, 8, 11, 5];
    const rng = createRng(9);
    const weights = model.layers.map(() => Float32Array.from(indices, () => rng.nextNormal()));
    const batch = await model.evaluate(indices, { gram: true, exampleWeights: weights });
    const perLayer = await loopGradients(model, indices);
    perLayer.forEach((rows, l) => {
      const reference = gramOfRows(rows);
      batch.gram?.[l]?.forEach((v, k) => expect(Math.abs(v - (reference[k] as number))).toBeLessThan(1e-6));
      const layer = model.layers[l];
      const weighted = layer?.parameters.flatMap((p) => Array.from(batch.weightedGradient?.[p]?.data ?? [])) ?? [];
      const w = weights[l] as Float32Array;
      weighted.forEach((v, e) => {
        const expected = rows.reduce((s, g, i) => s + (w[i] as number) * (g[e] as number), 0);
        expect(Math.abs(v - expected)).toBeLessThan(1e-6);
      });
    });
  });

  it('TV-D6: a DBA step equals selection on loop gradients followed by the SGD step (abs 1e-6)', async () => {
    const data = randomData(20, 4, 3, 6);
    const spec = mlp([4, 5, 3], { activation: 'tanh' });
    const model = await jsBackend().compile(spec, data, { seed: 4 });
    const reference = await jsBackend().compile(spec, data, { seed: 4 });
    const options = { batchSize: 8, mode: 'argmin', minSubset: 3, optimizer: sgd({ learningRate: 0.5 }) } as const;
    const algorithm = dba(options);
    const { report } = await algorithm.step(model, await algorithm.init(model, { seed: 8 }));
    // The same batch the algorithm drew; per-layer selection on the loop Gram, then θ − η Σ w_i g_i.
    const indices = Array.from(sampleBatch(createSamplerState({ size: 20, seed: 8 }), 8).indices);
    const perLayer = await loopGradients(reference, indices);
    const before = await reference.readParameters();
    const after = await model.readParameters();
    const sizes: number[] = [];
    perLayer.forEach((rows, l) => {
      const selection = selectSubset(gramOfRows(rows), options);
      sizes.push(selection.selected.length);
      const w = subsetWeights(selection, 'mean');
      let offset = 0;
      for (const p of reference.layers[l]?.parameters ?? []) {
        const theta = before[p] as Float32Array;
        theta.forEach((v, e) => {
          const g = rows.reduce((s, row, i) => s + (w[i] as number) * (row[offset + e] as number), 0);
          expect(Math.abs((after[p]?.[e] as number) - (v - 0.5 * g))).toBeLessThan(1e-6);
        });
        offset += theta.length;
      }
    });
    expect(report.selected).toEqual(sizes);
    // argmin stops once no removal lowers the metric: here the layers keep 6 and 7 of 8.
    expect(sizes).toEqual([6, 7]);
  });

  it('TV-D6: with S = the whole batch and the mean update, DBA is the plain base step (adam)', async () => {
    const data = randomData(30, 4, 3, 7);
    const spec = mlp([4, 6, 3]);
    for (const batchSize of [8, 6]) {
      const viaDba = await jsBackend().compile(spec, data, { seed: 1 });
      const plain = await jsBackend().compile(spec, data, { seed: 1 });
      const optimizer = adam({ learningRate: 0.01 });
      const run = await train(viaDba, dba({ batchSize, minSubset: batchSize, optimizer }), { steps: 5, seed: 3 });
      const base = await train(plain, fixedBatch({ batchSize, optimizer }), { steps: 5, seed: 3 });
      expect(run.trace.map((r) => r.selected)).toEqual(Array(5).fill([batchSize, batchSize]));
      const a = await viaDba.readParameters();
      const b = await plain.readParameters();
      if (batchSize === 8) {
        // 1/8 is exact in float32 and scaling by a power of two commutes with rounding: bit for bit.
        expect(a).toEqual(b);
        expect(run.trace.map((r) => r.loss)).toEqual(base.trace.map((r) => r.loss));
      } else {
        // 1/6 is rounded to float32 once per weight: equal up to summation order and that rounding.
        a.forEach((p, i) => expect(maxRelativeDifference(p, b[i] as Float32Array)).toBeLessThan(1e-5));
      }
    }
  });

  it('trains an MLP on synthetic blobs with train(): the loss falls and the test accuracy is high', async () => {
    const rng = createRng(12);
    const centres = [
      [2, 0],
      [-1, 1.7],
      [-1, -1.7],
    ];
    const blobs = (size: number): Dataset => {
      const labels = Int32Array.from({ length: size }, (_, i) => i % 3);
      const features = Float32Array.from({ length: size * 2 }, (_, k) => {
        const centre = centres[labels[Math.floor(k / 2)] as number] as number[];
        return (centre[k % 2] as number) + 0.6 * rng.nextNormal();
      });
      return { name: 'blobs', size, featureShape: [2], features, labels, numClasses: 3 };
    };
    const model = await jsBackend().compile(mlp([2, 16, 3]), blobs(300), { seed: 2 });
    const run = await train(model, dba({ batchSize: 32, optimizer: adam({ learningRate: 0.01 }) }), {
      steps: 150,
      seed: 1,
      test: blobs(150),
    });
    const first = run.trace[0]?.loss as number;
    expect(run.recentLoss).toBeLessThan(0.3 * first);
    expect(run.final?.accuracy).toBeGreaterThan(0.9);
    expect(run.trace.every((r) => r.selected.length === 2 && r.batchSize === 32)).toBe(true);
  });
});
