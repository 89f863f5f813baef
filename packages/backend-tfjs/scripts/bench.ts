/**
 * tfjs-wasm benchmark of @abs/backend-tfjs on mlp([784, 512, 10]) with softmax cross-entropy,
 * batch 128: milliseconds per training step with this adapter (core's fixedBatch + sgd, and
 * the bare evaluate + sgd update) against TensorFlow.js training the identical model in the
 * same run (`optimizer.minimize` over tf.variableGrads, and a tf.layers model's
 * `trainOnBatch`), plus the steps with second moments, with Gram matrices and with weights
 * chosen from the Gram. Every step reads its loss back, as an abs step does.
 *
 * Run: cd packages/backend-tfjs && npx tsx --conditions=@abs/source scripts/bench.ts [--backend cpu]
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  createRng,
  type Dataset,
  type EvaluateRequest,
  fixedBatch,
  initializeParameters,
  mlp,
  type OptimizerState,
  type SgdStepRequest,
  sgd,
} from '@abs/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { tfjsBackend } from '../src/index';
import { resolveTfjsBackendConfig } from '../src/resolve-tfjs-backend-config';
import { createTfjsBackend } from '../src/tfjs-backend';
import { measure } from './measure';

const backendArg = process.argv.indexOf('--backend');
const tfBackend = backendArg > 0 ? (process.argv[backendArg + 1] as string) : 'wasm';
const require = createRequire(import.meta.url);
setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
await tf.setBackend(tfBackend);

const sizes = [784, 512, 10];
const batchSize = 128;
const examples = 8192;
const learningRate = 0.01;
const rng = createRng(1);
const dataset: Dataset = {
  name: 'synthetic-784',
  size: examples,
  featureShape: [784],
  features: Float32Array.from({ length: examples * 784 }, () => rng.nextFloat()),
  labels: Int32Array.from({ length: examples }, () => Math.floor(rng.nextFloat() * 10)),
  numClasses: 10,
};
const batches = Array.from({ length: 64 }, () =>
  Int32Array.from({ length: batchSize }, () => Math.floor(rng.nextFloat() * examples)),
);
const batchAt = (i: number) => batches[i % batches.length] as Int32Array;

// ---- this adapter ------------------------------------------------------------------------
const spec = mlp(sizes);
const initial = initializeParameters(spec, 1);
const backend = tfjsBackend({ tf });
const model = await backend.compile(spec, dataset, { parameters: initial });
const optimizer = sgd({ learningRate });
let optimizerState: OptimizerState<tf.Tensor> = optimizer.init(model.ops, model.parameters);

function stepWith(target: typeof model, request: EvaluateRequest<tf.Tensor>) {
  return async (i: number) => {
    const result = await target.evaluate(batchAt(i), request);
    const gradient = (result.gradient ?? result.weightedGradient) as tf.Tensor[];
    const update = optimizer.update(target.ops, { gradient, parameters: target.parameters, state: optimizerState });
    for (const t of [...gradient, ...(result.secondMoment ?? [])]) t.dispose();
    optimizerState = update.state;
    target.setParameters(update.parameters);
  };
}

/** `model.sgdStep` with the statistics of `request` from the same pass (the fast path fixedBatch(sgd) takes). */
function sgdStepWith(request: SgdStepRequest) {
  return async (i: number) => {
    const r = await model.sgdStep?.(batchAt(i), { learningRate }, request);
    for (const t of r?.secondMoment ?? []) t.dispose();
    if (!r?.applied) throw new Error('sgdStep did not apply');
  };
}

const algorithm = fixedBatch({ optimizer, batchSize });
let algorithmState = await algorithm.init(model, { seed: 3 });
const fixedBatchStep = async () => {
  algorithmState = (await algorithm.step(model, algorithmState)).state;
};
// The same adapter with tfjs's default kernels: transposes as matMul flags (what tfjs's own
// gradients do) and tf.gather for the batch.
const flagged = await createTfjsBackend({
  ...resolveTfjsBackendConfig({ tf }),
  kernels: { explicitTranspose: false, gatherNd: false },
}).compile(spec, dataset, { parameters: initial });

// ---- TensorFlow.js's own training of the identical model ---------------------------------
// Batches come from the same device tensors with the adapter's fast row gather, so the
// comparison is about the training step alone.
const rows = (x: tf.Tensor2D, index: tf.Tensor) => tf.gatherND(x, index) as tf.Tensor2D;
const features = tf.tensor2d(dataset.features, [examples, 784]);
const oneHot = tf.tidy(() =>
  tf.cast(tf.oneHot(tf.tensor1d(dataset.labels as Int32Array, 'int32'), 10), 'float32'),
) as tf.Tensor2D;
const variables = initial.map((values, i) =>
  tf.variable(tf.tensor(values, [...(model.parameterInfo[i]?.shape ?? [])])),
);
const tfOptimizer = tf.train.sgd(learningRate);
const [w0, b0, w1, b1] = variables as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
const minimizeStep = async (i: number) => {
  const cost = tf.tidy(() => {
    const index = tf.tensor2d(batchAt(i), [batchSize, 1], 'int32');
    const x = rows(features, index);
    const y = rows(oneHot, index);
    return tfOptimizer.minimize(() => {
      const hidden = tf.relu(tf.add(tf.matMul(x, w0), b0));
      return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(hidden, w1), b1));
    }, true) as tf.Scalar;
  });
  await cost.data();
  cost.dispose();
};

const net = tfl.sequential({
  layers: [
    tfl.layers.dense({ inputShape: [784], units: 512, activation: 'relu' }),
    tfl.layers.dense({ units: 10, activation: 'softmax' }),
  ],
});
net.setWeights(variables);
net.compile({ optimizer: tf.train.sgd(learningRate), loss: 'categoricalCrossentropy' });
const trainOnBatchStep = async (i: number) => {
  const index = tf.tensor2d(batchAt(i), [batchSize, 1], 'int32');
  const x = rows(features, index);
  const y = rows(oneHot, index);
  await net.trainOnBatch(x, y);
  tf.dispose([index, x, y]);
};

const n = batchSize;
const uniform = Float32Array.from({ length: n }, () => 1 / n);
const { ms: times, ratio } = await measure({
  fixedBatch: fixedBatchStep,
  stepMoments: sgdStepWith({ secondMoment: true }),
  stepGram: sgdStepWith({ gram: true }),
  plain: stepWith(model, { gradient: true }),
  moments: stepWith(model, { gradient: true, secondMoment: true }),
  norms: stepWith(model, { gradient: true, perExampleGradientNormSquared: true }),
  gram: stepWith(model, { gradient: true, gram: true }),
  gramWeights: stepWith(model, { gram: true, exampleWeights: () => uniform }),
  flagged: stepWith(flagged, { gradient: true }),
  minimize: minimizeStep,
  trainOnBatch: trainOnBatchStep,
});

const row = (label: string, ms: number, extra = '') =>
  console.log(`${label.padEnd(40)} ${ms.toFixed(2).padStart(8)} ms  ${extra}`);
console.log(
  `@abs/backend-tfjs bench: mlp([${sizes}]) softmax-CE, batch ${batchSize}, tfjs ${tf.version_core} '${tf.getBackend()}'`,
);
row(
  'abs: fixedBatch + sgd step',
  times.fixedBatch,
  `${ratio('fixedBatch', 'minimize').toFixed(2)}x minimize (target <= 1.1x)`,
);
row(
  'abs: sgdStep + second moments',
  times.stepMoments,
  `${ratio('stepMoments', 'fixedBatch').toFixed(2)}x fixedBatch (target <= 1.35x)`,
);
row(
  'abs: sgdStep + Gram',
  times.stepGram,
  `${ratio('stepGram', 'fixedBatch').toFixed(2)}x fixedBatch (target <= 1.5x)`,
);
row('abs: evaluate + sgd update (plain)', times.plain, `${ratio('plain', 'minimize').toFixed(2)}x minimize`);
row('abs: + second moments', times.moments, `${ratio('moments', 'plain').toFixed(2)}x plain (target <= 1.35x)`);
row('abs: + per-example gradient norms', times.norms, `${ratio('norms', 'plain').toFixed(2)}x plain (CABS's variance)`);
row('abs: + Gram', times.gram, `${ratio('gram', 'plain').toFixed(2)}x plain (target <= 1.5x)`);
row('abs: weights from Gram (DBA)', times.gramWeights, `${ratio('gramWeights', 'plain').toFixed(2)}x plain`);
row('abs: plain, transpose flags + tf.gather', times.flagged, `${ratio('flagged', 'plain').toFixed(2)}x plain`);
row('tfjs: optimizer.minimize (variableGrads)', times.minimize);
row('tfjs: layers trainOnBatch', times.trainOnBatch, `${ratio('trainOnBatch', 'minimize').toFixed(2)}x minimize`);
console.log('ms: median over rounds of per-round medians; ratios: median of per-round ratios (paired)');
console.log(`tensors alive at the end: ${tf.memory().numTensors}`);
