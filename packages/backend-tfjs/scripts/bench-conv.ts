/**
 * Benchmark of @abs/backend-tfjs on the CABS MNIST net (conv 5×5×32 same, relu, max-pool 2,
 * conv 5×5×64 same, relu, max-pool 2, flatten, dense 1024 relu, dense 10), batches 16 and 128:
 * milliseconds per step of core's `fixedBatch(sgd)` (through `model.sgdStep`), of evaluate + sgd
 * update plain and with per-example gradient norms, against TensorFlow.js's own
 * `optimizer.minimize` on the same tfjs-layers model (where the backend has the kernels autodiff
 * needs: tfjs-wasm has no Conv2DBackpropFilter). Every step reads its loss back.
 *
 * Run: cd packages/backend-tfjs && npx tsx --conditions=@abs/source scripts/bench-conv.ts [--backend cpu]
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createRng, type Dataset, type EvaluateRequest, fixedBatch, sgd } from '@abs/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { fromLayersModel } from '../src/index';
import { measure } from './measure';

const backendArg = process.argv.indexOf('--backend');
const tfBackend = backendArg > 0 ? (process.argv[backendArg + 1] as string) : 'wasm';
const require = createRequire(import.meta.url);
setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
await tf.setBackend(tfBackend);

const examples = 1024;
const learningRate = 0.01;
const rng = createRng(1);
const dataset: Dataset = {
  name: 'synthetic-mnist',
  size: examples,
  featureShape: [28, 28, 1],
  features: Float32Array.from({ length: examples * 784 }, () => rng.nextFloat()),
  labels: Int32Array.from({ length: examples }, () => Math.floor(rng.nextFloat() * 10)),
  numClasses: 10,
};

const cabsNet = () =>
  tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 5, padding: 'same', activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 64, kernelSize: 5, padding: 'same', activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 1024, activation: 'relu' }),
      tfl.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });

console.log(`@abs/backend-tfjs conv bench: CABS MNIST net, softmax-CE, tfjs ${tf.version_core} '${tf.getBackend()}'`);
for (const batchSize of [16, 128]) {
  const batches = Array.from({ length: 16 }, () =>
    Int32Array.from({ length: batchSize }, () => Math.floor(rng.nextFloat() * examples)),
  );
  const batchAt = (i: number) => batches[i % batches.length] as Int32Array;
  const net = cabsNet();
  const { model } = await fromLayersModel({ tf, layersModel: net, dataset });
  const optimizer = sgd({ learningRate });
  const algorithm = fixedBatch({ optimizer, batchSize });
  let state = await algorithm.init(model, { seed: 3 });
  const stepWith = (request: EvaluateRequest<tf.Tensor>) => async (i: number) => {
    const result = await model.evaluate(batchAt(i), request);
    const gradient = result.gradient as tf.Tensor[];
    const next = tf.tidy(() =>
      model.parameters.map((p, k) => tf.sub(p, tf.mul(gradient[k] as tf.Tensor, learningRate))),
    );
    tf.dispose(gradient);
    model.setParameters(next);
  };

  // TensorFlow.js's own step on its own copy of the model, batches gathered on the device.
  const own = cabsNet();
  own.setWeights(net.getWeights());
  const features = tf.tensor4d(dataset.features, [examples, 28, 28, 1]);
  const oneHot = tf.cast(tf.oneHot(tf.tensor1d(dataset.labels as Int32Array, 'int32'), 10), 'float32');
  const tfOptimizer = tf.train.sgd(learningRate);
  const minimize = async (i: number) => {
    const cost = tf.tidy(() => {
      const index = tf.tensor1d(batchAt(i), 'int32');
      const x = tf.gather(features, index);
      const y = tf.gather(oneHot, index);
      return tfOptimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, own.apply(x) as tf.Tensor), true) as tf.Scalar;
    });
    await cost.data();
    cost.dispose();
  };
  let minimizeError: string | undefined;
  try {
    await minimize(0);
  } catch (error) {
    minimizeError = (error as Error).message.split('\n')[0];
  }
  const cases = {
    fixedBatch: async () => {
      state = (await algorithm.step(model, state)).state;
    },
    plain: stepWith({ gradient: true }),
    norms: stepWith({ gradient: true, perExampleGradientNormSquared: true }),
    ...(minimizeError ? {} : { minimize }),
  };
  const { ms, ratio } = await measure(cases as Record<string, (i: number) => Promise<void>>, {
    rounds: 5,
    perRound: 1,
    warmup: 1,
  });
  const line = (label: string, value: number | undefined, extra = '') =>
    console.log(
      `batch ${String(batchSize).padStart(3)}  ${label.padEnd(36)} ${(value ?? Number.NaN).toFixed(1).padStart(8)} ms  ${extra}`,
    );
  line(
    'abs: fixedBatch + sgd (sgdStep)',
    ms.fixedBatch,
    minimizeError ? '' : `${ratio('fixedBatch', 'minimize').toFixed(2)}x minimize (target <= 1.1x)`,
  );
  line('abs: evaluate + sgd update (plain)', ms.plain);
  line('abs: + per-example gradient norms', ms.norms, `${ratio('norms', 'plain').toFixed(2)}x plain (target <= 1.5x)`);
  if (minimizeError)
    console.log(`batch ${String(batchSize).padStart(3)}  tfjs optimizer.minimize: n/a (${minimizeError})`);
  else line('tfjs: optimizer.minimize (layers model)', ms.minimize);
  model.dispose();
  tf.dispose([features, oneHot]);
  net.dispose();
  own.dispose();
}
console.log('ms: median over rounds; ratios: median of per-round ratios (paired)');
