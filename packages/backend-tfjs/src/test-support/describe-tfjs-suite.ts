/**
 * Test-only: everything this package promises, registered for one TensorFlow.js namespace,
 * so the cpu, wasm and native (tfjs-node, tfjs-node-gpu) test files run the very same tests:
 * core's conformance suite against the js oracle with a leak check after each case, a
 * 500-step leak test, and the fromLayersModel round trip.
 */
import { jsBackend } from '@abs/backend-js';
import { cabsMnistNet, type Dataset, describeSpec, fixedBatch, mlp, momentum, sgd, train } from '@abs/core';
import { conformanceDataset, describeBackendConformance, maxRelativeDifference } from '@abs/core/testing';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { fromLayersModel } from '../layers/from-layers-model';
import { tfjsBackend } from '../tfjs-backend';
import type { Tensor, TensorFlow } from '../tfjs-namespace';
import { expectNoLeaks } from './leak-check';

/** The slice of tfjs-layers the round-trip tests build models with. */
export type LayersApi = Pick<typeof tfl, 'sequential' | 'layers' | 'model' | 'input'>;

export interface TfjsSuiteOptions {
  /** e.g. `'tfjs-cpu'` */
  readonly label: string;
  /** The namespace with its backend active (called once per test; cache inside). */
  readonly load: () => Promise<TensorFlow>;
  readonly layers: () => Promise<LayersApi>;
}

const softmaxRows = (z: Float32Array, k: number) => {
  const out = new Float32Array(z.length);
  for (let r = 0; r < z.length / k; r++) {
    const row = z.subarray(r * k, (r + 1) * k);
    const max = Math.max(...row);
    const e = row.map((v) => Math.exp(v - max));
    const s = e.reduce((a, b) => a + b, 0);
    out.set(
      e.map((v) => v / s),
      r * k,
    );
  }
  return out;
};

export function describeTfjsSuite(options: TfjsSuiteOptions): void {
  const { label, load } = options;
  describeBackendConformance({
    name: label,
    backend: async () => tfjsBackend({ tf: await load() }),
    reference: () => jsBackend(),
    afterEach: async (model) => expectNoLeaks(await load(), model),
  });

  describe(`${label}: realistic widths`, () => {
    // A batch of 8 has few rows against the 64 and 100 columns: wasm packs the batch operand.
    it.each([32, 8])('agrees with the js oracle on mlp([100, 64, 10]) with a batch of %i', async (n) => {
      const tf = await load();
      const dataset = conformanceDataset({ size: 64, width: 100, classes: 10, seed: 8 });
      const spec = mlp([100, 64, 10]);
      const model = await tfjsBackend({ tf }).compile(spec, dataset, { seed: 3 });
      const oracle = await jsBackend().compile(spec, dataset, { seed: 3 });
      const batch = Array.from({ length: n }, (_, i) => (i * 7) % 64);
      const request = { gradient: true, secondMoment: true, gram: true } as const;
      const a = await model.evaluate(batch, request);
      const e = await oracle.evaluate(batch, request);
      expect(maxRelativeDifference([a.loss], [e.loss])).toBeLessThan(1e-4);
      for (const key of ['gradient', 'secondMoment'] as const) {
        const ours = await Promise.all((a[key] ?? []).map((t) => model.ops.read(t)));
        const theirs = await Promise.all((e[key] ?? []).map((t) => oracle.ops.read(t)));
        ours.forEach((values, i) =>
          expect(maxRelativeDifference(values, theirs[i] as Float32Array), `${key}[${i}]`).toBeLessThan(
            key === 'gradient' ? 1e-4 : 1e-3,
          ),
        );
        for (const t of a[key] ?? []) t.dispose();
      }
      a.gram?.forEach((k, l) => expect(maxRelativeDifference(k, e.gram?.[l] ?? [])).toBeLessThan(1e-3));
      model.dispose();
    });
  });

  describe(`${label}: normalised sgdStep`, () => {
    const epsilon = 1e-8;
    // Its values at the edges (n = ε, a move of η, the refusals) are core's conformance case
    // sgd-step-normalized-edges; here, tensor lifetime.
    it('keeps tf.memory().numTensors the same over 50 normalised steps, taken and refused', async () => {
      const tf = await load();
      const data = conformanceDataset({ size: 32, width: 8, classes: 4, seed: 3 });
      const model = await tfjsBackend({ tf }).compile(mlp([8, 16, 4]), data, { seed: 1 });
      const counts: number[] = [];
      for (let k = 0; k < 50; k++) {
        const batch = [k % 32, (k + 5) % 32, (k + 11) % 32];
        const refuse = k % 5 === 4;
        const step = { learningRate: refuse ? 1e30 : 0.05, weightDecay: refuse ? 1e10 : 1e-3, normalize: { epsilon } };
        expect((await model.sgdStep?.(batch, step))?.applied).toBe(!refuse);
        counts.push(tf.memory().numTensors);
      }
      expect(new Set(counts)).toEqual(new Set([counts[0]]));
      model.dispose();
    });
  });

  describe(`${label}: tensor lifetime`, () => {
    it('keeps tf.memory().numTensors the same after 1 and after 500 fixedBatch steps', async () => {
      const tf = await load();
      const start = tf.memory().numTensors;
      const dataset = conformanceDataset({ size: 64, width: 8, classes: 4, seed: 3 });
      const model = await tfjsBackend({ tf }).compile(mlp([8, 16, 4]), dataset, { seed: 1 });
      const counts = new Map<number, number>();
      const algorithm = fixedBatch({ optimizer: momentum({ learningRate: 0.05, momentum: 0.9 }), batchSize: 16 });
      const run = await train(model, algorithm, {
        steps: 500,
        seed: 4,
        onEvent: (event) => {
          if (event.type === 'step') counts.set(event.report.step, tf.memory().numTensors);
        },
      });
      expect(counts.get(500)).toBe(counts.get(1));
      expect(run.recentLoss, 'it trained').toBeLessThan(run.trace[0]?.loss as number);
      run.dispose();
      model.dispose();
      expect(tf.memory().numTensors, 'all freed after dispose').toBe(start);
    });

    it('shares one upload of a dataset between models and frees it with the last one', async () => {
      const tf = await load();
      const start = tf.memory().numTensors;
      const dataset = conformanceDataset({ size: 32, width: 5, classes: 3, seed: 1 });
      const backend = tfjsBackend({ tf });
      const a = await backend.compile(mlp([5, 4, 3]), dataset, { seed: 1 });
      const afterFirst = tf.memory().numTensors;
      const b = await a.compileSibling(mlp([5, 3]), dataset, { seed: 2 });
      // Only b's two parameters are new: features and one-hot targets are shared.
      expect(tf.memory().numTensors - afterFirst).toBe(2);
      a.dispose();
      const { gradient } = await b.evaluate([0, 1], { gradient: true });
      expect(gradient?.length).toBe(2);
      for (const g of gradient ?? []) g.dispose();
      b.dispose();
      expect(tf.memory().numTensors).toBe(start);
    });
  });

  describe(`${label}: fromLayersModel`, () => {
    const dataset = (regression: boolean): Dataset =>
      conformanceDataset({ size: 32, width: 4, classes: 3, seed: 6, regression });

    for (const head of ['softmax', 'linear'] as const) {
      it(`round-trips a Sequential with a ${head} output: weights in, training, weights out`, async () => {
        const tf = await load();
        const { sequential, layers } = await options.layers();
        const start = tf.memory().numTensors;
        const net = sequential({
          layers: [
            layers.dense({ inputShape: [4], units: 6, activation: 'tanh' }),
            layers.dense({ units: 5, activation: 'tanh' }),
            layers.dense({ units: 3, activation: head }),
          ],
        });
        const data = dataset(head === 'linear');
        const { spec, model, writeBack } = await fromLayersModel({ tf, layersModel: net, dataset: data });
        expect(spec).toEqual(
          mlp([4, 6, 5, 3], { activation: 'tanh', loss: head === 'softmax' ? 'softmax-cross-entropy' : 'mse' }),
        );
        const initial = await Promise.all(net.getWeights().map(async (w) => new Float32Array(await w.data())));
        expect(await model.readParameters(), 'starts from the layers weights').toEqual(initial);

        const x = data.features.subarray(0, 8 * 4);
        const predictLayers = async () => {
          const input = tf.tensor2d(x, [8, 4]);
          const y = net.predict(input) as Tensor;
          const values = new Float32Array(await y.data());
          input.dispose();
          y.dispose();
          return values;
        };
        const ours = async () => {
          const z = await model.predict(x, 8);
          return head === 'softmax' ? softmaxRows(z, 3) : z;
        };
        expect(maxRelativeDifference(await predictLayers(), await ours())).toBeLessThan(1e-5);

        const run = await train(model, fixedBatch({ optimizer: sgd({ learningRate: 0.1 }), batchSize: 8 }), {
          steps: 5,
        });
        run.dispose();
        await writeBack();
        const trained = await model.readParameters();
        const written = await Promise.all(net.getWeights().map(async (w) => new Float32Array(await w.data())));
        expect(written, 'the layers hold the trained weights').toEqual(trained);
        expect(written).not.toEqual(initial);
        expect(maxRelativeDifference(await predictLayers(), await ours())).toBeLessThan(1e-5);

        // The layers keep their weights while the abs model moves on and is disposed.
        await train(model, fixedBatch({ optimizer: sgd({ learningRate: 0.1 }), batchSize: 8 }), { steps: 2 });
        model.dispose();
        const kept = await Promise.all(net.getWeights().map(async (w) => new Float32Array(await w.data())));
        expect(kept).toEqual(trained);
        net.dispose();
        expect(tf.memory().numTensors, 'nothing left behind').toBe(start);
      });
    }
  });

  describe(`${label}: fromLayersModel with conv and batch-norm layers`, () => {
    /** Builds `make()`, brings it in, trains `steps`, writes back; predictions must agree throughout. */
    const roundTrip = async (make: (api: LayersApi) => tfl.LayersModel, dataset: Dataset, steps: number) => {
      const tf = await load();
      const api = await options.layers();
      const start = tf.memory().numTensors;
      const net = make(api);
      const { model, writeBack, spec, dropped } = await fromLayersModel({ tf, layersModel: net, dataset });
      const count = 4;
      const x = dataset.features.subarray(0, count * (dataset.features.length / dataset.size));
      const classes = describeSpec(spec).outputShape[0] as number;
      const predictLayers = async () => {
        const input = tf.tensor(x, [count, ...((net.inputs[0] as tfl.SymbolicTensor).shape.slice(1) as number[])]);
        const y = net.predict(input) as Tensor;
        const values = new Float32Array(await y.data());
        tf.dispose([input, y]);
        return values;
      };
      const ours = async () => softmaxRows(await model.predict(x, count), classes);
      expect(maxRelativeDifference(await ours(), await predictLayers()), 'weights in').toBeLessThan(1e-4);
      if (steps > 0) {
        const run = await train(model, fixedBatch({ optimizer: sgd({ learningRate: 0.1 }), batchSize: 8 }), { steps });
        run.dispose();
      }
      await writeBack();
      const trained = await model.readParameters();
      expect(maxRelativeDifference(await ours(), await predictLayers()), 'weights out').toBeLessThan(1e-4);
      model.dispose();
      net.dispose();
      expect(tf.memory().numTensors, 'nothing left behind').toBe(start);
      return { spec, dropped, trained };
    };
    const images = (featureShape: number[], size = 16) =>
      conformanceDataset({ size, featureShape, classes: 3, seed: 4 });

    it('a Sequential conv net with batch norm and dropout', async () => {
      const { dropped, trained } = await roundTrip(
        ({ sequential, layers }) =>
          sequential({
            layers: [
              layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, activation: 'relu' }),
              layers.batchNormalization({ momentum: 0.5 }),
              layers.maxPooling2d({ poolSize: 2 }),
              layers.flatten(),
              layers.dropout({ rate: 0.3 }),
              layers.dense({ units: 3, activation: 'softmax' }),
            ],
          }),
        images([6, 6, 2]),
        4,
      );
      expect(dropped).toHaveLength(1);
      expect(trained.length).toBe(6);
    });

    it('a functional ResNet-style model with batch norm and a projection shortcut', async () => {
      await roundTrip(
        ({ model, input, layers }) => {
          const x = input({ shape: [6, 6, 2] });
          const stem = layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false }).apply(x);
          const a = layers.activation({ activation: 'relu' }).apply(layers.batchNormalization().apply(stem));
          const b = layers
            .batchNormalization()
            .apply(layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', useBias: false }).apply(a));
          const shortcut = layers.conv2d({ filters: 6, kernelSize: 1, strides: 2, useBias: false }).apply(a);
          const sum = layers.activation({ activation: 'relu' }).apply(layers.add().apply([b, shortcut] as never));
          const out = layers
            .dense({ units: 3, activation: 'softmax' })
            .apply(layers.globalAveragePooling2d({}).apply(sum));
          return model({ inputs: x, outputs: out as never });
        },
        images([6, 6, 2]),
        4,
      );
    });

    it('the CABS MNIST net, built in tfjs-layers, maps to the CABS spec', async () => {
      const { spec } = await roundTrip(
        ({ sequential, layers }) =>
          sequential({
            layers: [
              layers.reshape({ inputShape: [784], targetShape: [28, 28, 1] }),
              layers.conv2d({ filters: 32, kernelSize: 5, padding: 'same', activation: 'relu' }),
              layers.maxPooling2d({ poolSize: 2 }),
              layers.conv2d({ filters: 64, kernelSize: 5, padding: 'same', activation: 'relu' }),
              layers.maxPooling2d({ poolSize: 2 }),
              layers.flatten(),
              layers.dense({ units: 1024, activation: 'relu' }),
              layers.dense({ units: 10, activation: 'softmax' }),
            ],
          }),
        conformanceDataset({ size: 4, width: 784, classes: 10, seed: 1 }),
        0,
      );
      const cabs = cabsMnistNet();
      const withoutInit = (s: typeof spec) => JSON.stringify(s, (key, value) => (key === 'init' ? undefined : value));
      expect(withoutInit(spec)).toBe(withoutInit(cabs));
    });
  });
}
