/**
 * CPU benchmark of @abs/backend-onnx on mlp([784, 512, 10]) with softmax cross-entropy,
 * batch 128: milliseconds per training step for the plain step as `fixedBatch(sgd)` takes it
 * (`model.sgdStep`: the update inside the graph), and with the update on the host (evaluate +
 * core's sgd), which is how steps with second moments, per-example gradient norms (CABS's
 * variance), Gram matrices and Gram-chosen weights run; the achieved GFLOP/s of the plain step against onnxruntime's own MatMul on 1024³
 * measured in the same run and with the same session options.
 *
 * Run: cd packages/backend-onnx && npx tsx --conditions=@abs/source scripts/bench.ts [--threads N]
 */
import {
  createHostTensorOps,
  createRng,
  type Dataset,
  type EvaluateRequest,
  type HostTensor,
  hostTensor,
  mlp,
  type SgdStepRequest,
  sgd,
} from '@abs/core';
import * as ort from 'onnxruntime-node';
import { gatherRows } from '../src/batch-inputs';
import { GraphBuilder } from '../src/graph/graph-builder';
import { onnxBackend } from '../src/index';
import { encodeModel } from '../src/proto/onnx-proto';
import { measure } from './measure';

const threadsArg = process.argv.indexOf('--threads');
const threads = threadsArg > 0 ? Number(process.argv[threadsArg + 1]) : undefined;
const sizes = [784, 512, 10];
const batchSize = 128;
const examples = 8192;

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

const backend = onnxBackend(threads === undefined ? {} : { threads });
const model = await backend.compile(mlp(sizes), dataset, { seed: 1 });
const optimizer = sgd({ learningRate: 0.01 });
let state = optimizer.init(model.ops, model.parameters);

function stepWith(request: EvaluateRequest<HostTensor>) {
  return async (i: number) => {
    const result = await model.evaluate(batches[i % batches.length] as Int32Array, request);
    const update = optimizer.update(model.ops, {
      gradient: (result.gradient ?? result.weightedGradient) as HostTensor[],
      parameters: model.parameters,
      state,
    });
    state = update.state;
    model.setParameters(update.parameters);
  };
}

/** A step as `fixedBatch(sgd)` takes it (`model.sgdStep`), with the statistics of `request` from the same pass. */
function fusedStep(request: SgdStepRequest) {
  return async (i: number) => {
    const r = await model.sgdStep?.(batches[i % batches.length] as Int32Array, { learningRate: 0.01 }, request);
    if (!r?.applied) throw new Error('sgdStep did not apply');
  };
}

// onnxruntime's own MatMul rate on 1024³, same thread setting.
const g = new GraphBuilder();
g.output(g.node('MatMul', [g.input('a', [1024, 1024]), g.input('b', [1024, 1024])], {}, 'c'), 'c', [1024, 1024]);
const session = await ort.InferenceSession.create(encodeModel(g.build('matmul')), {
  graphOptimizationLevel: 'all',
  interOpNumThreads: 1,
  ...(threads === undefined ? {} : { intraOpNumThreads: threads }),
});
const square = new ort.Tensor(
  'float32',
  Float32Array.from({ length: 1024 * 1024 }, () => rng.nextFloat()),
  [1024, 1024],
);

const runMatmul = async () => void (await session.run({ a: square, b: square }));
const n = batchSize;
// MatMul in its own blocks, before and after the steps (interleaving it would flush the caches
// the steps rely on); the rate is the mean of the two medians.
const before = await measure({ matmul: runMatmul }, { rounds: 1, perRound: 20, warmup: 2 });
const steps = await measure({
  evaluateOnly: async (i) => void (await model.evaluate(batches[i % batches.length] as Int32Array, { gradient: true })),
  fused: fusedStep({}),
  fusedMoments: fusedStep({ secondMoment: true }),
  fusedGram: fusedStep({ gram: true }),
  plain: stepWith({ gradient: true }),
  moments: stepWith({ gradient: true, secondMoment: true }),
  norms: stepWith({ gradient: true, perExampleGradientNormSquared: true }),
  gram: stepWith({ gradient: true, gram: true }),
  gramWeights: stepWith({ gram: true, exampleWeights: () => Float32Array.from({ length: n }, () => 1 / n) }),
});
const after = await measure({ matmul: runMatmul }, { rounds: 1, perRound: 20, warmup: 2 });
const { evaluateOnly, fused, fusedMoments, fusedGram, plain, moments, norms, gram, gramWeights } = steps;
const matmul = (before.matmul + after.matmul) / 2;
const matmulGflops = (2 * 1024 ** 3) / matmul / 1e6;

// FLOPs of the plain step: forward, weight gradient and input gradient (not for layer 0).
let flops = 0;
for (let l = 0; l + 1 < sizes.length; l++) {
  flops += 2 * batchSize * (sizes[l] as number) * (sizes[l + 1] as number) * (l === 0 ? 2 : 3);
}
const stepGflops = flops / fused / 1e6;

// Host-side pieces: the batch gather, and one axpby over all parameters with core's host
// TensorOps and with this backend's (what the sgd update costs per step).
const parameterCount = model.parameters.reduce((total, p) => total + p.data.length, 0);
const ones = hostTensor(new Float32Array(parameterCount).fill(1), [parameterCount]);
const coreOps = createHostTensorOps('onnx-cpu');
// Exercise core's other elementwise ops first, as an optimiser does, so its shared loop is warm.
for (const op of [coreOps.add, coreOps.sub, coreOps.mul, coreOps.div]) op(ones, ones);
const other = await measure(
  {
    gather: (i) => void gatherRows(dataset.features, batches[i % batches.length] as Int32Array, 784),
    coreAxpby: () => void coreOps.axpby(1, ones, -0.1, ones),
    backendAxpby: () => void model.ops.axpby(1, ones, -0.1, ones),
  },
  { rounds: 10, perRound: 2, warmup: 2 },
);
const { gather, coreAxpby, backendAxpby } = other;

const row = (label: string, ms: number, extra = '') =>
  console.log(`${label.padEnd(36)} ${ms.toFixed(2).padStart(8)} ms ${extra}`);
console.log(
  `@abs/backend-onnx CPU bench: mlp([${sizes}]) softmax-CE, batch ${batchSize}, threads ${threads ?? 'default'}`,
);
console.log(`model backend ${model.backend}; sessions built ${model.sessionStats().sessions}`);
const ratio = (ms: number, base: number, target = '') => `${(ms / base).toFixed(2)}x plain${target}`;
console.log('update in the graph (model.sgdStep; what fixedBatch(sgd) runs):');
row('  plain step', fused, `${stepGflops.toFixed(1)} GFLOP/s`);
row('  step + second moments', fusedMoments, ratio(fusedMoments, fused, ' (target <= 1.35x)'));
row('  step + Gram', fusedGram, ratio(fusedGram, fused, ' (target <= 1.5x)'));
console.log('update on the host (evaluate + core sgd):');
row('  plain step', plain, `${(flops / plain / 1e6).toFixed(1)} GFLOP/s`);
row('  step + second moments', moments, ratio(moments, plain, ' (target <= 1.35x)'));
row('  step + per-example gradient norms', norms, `${ratio(norms, plain)} (what CABS uses for its variance)`);
row('  step + Gram', gram, ratio(gram, plain, ' (target <= 1.5x)'));
row('  step, weights from Gram (DBA)', gramWeights, ratio(gramWeights, plain));
row('evaluate alone (no update)', evaluateOnly, `${(flops / evaluateOnly / 1e6).toFixed(1)} GFLOP/s`);
row('onnxruntime MatMul 1024^3', matmul, `${matmulGflops.toFixed(1)} GFLOP/s`);
console.log(
  `plain step at ${((100 * stepGflops) / matmulGflops).toFixed(0)}% of the MatMul rate (target >= 50%); ` +
    `with the update on the host ${((100 * flops) / plain / 1e6 / matmulGflops).toFixed(0)}%; ` +
    `evaluate alone ${((100 * flops) / evaluateOnly / 1e6 / matmulGflops).toFixed(0)}%`,
);
row('host gather of the batch', gather, `${((100 * gather) / plain).toFixed(1)}% of the host-update plain step`);
row(
  `axpby over ${parameterCount} params, core`,
  coreAxpby,
  `${((100 * coreAxpby) / plain).toFixed(1)}% of the host-update plain step`,
);
row(
  `axpby over ${parameterCount} params, onnx`,
  backendAxpby,
  `${((100 * backendAxpby) / plain).toFixed(1)}% of the host-update plain step`,
);
model.dispose();
await session.release();
