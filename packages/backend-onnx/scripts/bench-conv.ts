/**
 * CPU benchmark of @abs/backend-onnx on the CABS MNIST net (conv 5×5×32 same, relu, max-pool 2,
 * conv 5×5×64 same, relu, max-pool 2, flatten, dense 1024 relu, dense 10; 3.3 M parameters) at
 * batch 16 and 128: milliseconds per training step with the update in the graph
 * (`model.sgdStep`, what `fixedBatch(sgd)` runs) against onnxruntime's own forward-only run of
 * the same network (the exported inference model, same session options) and against the forward
 * pass of a training graph (loss only: the same graph without its backward), and the steps with
 * per-example statistics as ratios of their plain step; then the extra resident memory
 * (peak RSS, each case alone in a child process) of each statistic at batch 128, for the README's
 * bound.
 *
 * Run: cd packages/backend-onnx && npx tsx --conditions=@abs/source scripts/bench-conv.ts [--threads N] [--batches 16,128]
 */

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  cabsMnistNet,
  createRng,
  type Dataset,
  type EvaluateRequest,
  type HostTensor,
  type SgdStepRequest,
  sgd,
} from '@abs/core';
import * as ort from 'onnxruntime-node';
import { exportOnnx } from '../src/export-onnx';
import { onnxBackend } from '../src/index';
import { measureRounds, median, pairedRatio } from './measure';

const threadsArg = process.argv.indexOf('--threads');
const threads = threadsArg > 0 ? Number(process.argv[threadsArg + 1]) : undefined;
const batchesArg = process.argv.indexOf('--batches');
const batchSizes = batchesArg > 0 ? (process.argv[batchesArg + 1] as string).split(',').map(Number) : [16, 128];
const examples = 1024;
const spec = cabsMnistNet();

const rng = createRng(1);
const dataset: Dataset = {
  name: 'synthetic-mnist',
  size: examples,
  featureShape: [28, 28, 1],
  features: Float32Array.from({ length: examples * 784 }, () => rng.nextFloat()),
  labels: Int32Array.from({ length: examples }, () => Math.floor(rng.nextFloat() * 10)),
  numClasses: 10,
};
const batchesOf = (size: number) =>
  Array.from({ length: 16 }, () => Int32Array.from({ length: size }, () => Math.floor(rng.nextFloat() * examples)));

const backend = onnxBackend(threads === undefined ? {} : { threads });
const model = await backend.compile(spec, dataset, { seed: 1 });
const parameterCount = model.parameterInfo.reduce((t, p) => t + p.shape.reduce((a, b) => a * b, 1), 0);
// A small learning rate keeps every step finite (sgdStep refuses a non-finite one).
const learningRate = 1e-4;
const optimizer = sgd({ learningRate });
let state = optimizer.init(model.ops, model.parameters);

function fused(batches: Int32Array[], request: SgdStepRequest) {
  return async (i: number) => {
    const r = await model.sgdStep?.(batches[i % batches.length] as Int32Array, { learningRate }, request);
    if (!r?.applied) throw new Error('sgdStep did not apply');
  };
}
function hostUpdate(batches: Int32Array[], request: EvaluateRequest<HostTensor>) {
  return async (i: number) => {
    const result = await model.evaluate(batches[i % batches.length] as Int32Array, request);
    const update = optimizer.update(model.ops, {
      gradient: result.gradient as HostTensor[],
      parameters: model.parameters,
      state,
    });
    state = update.state;
    model.setParameters(update.parameters);
  };
}

const maxRss = () => process.resourceUsage().maxRSS / 1024; // MiB

// Memory: each case runs alone in a child process at batch 128, and its peak RSS is compared
// with the plain step's (onnxruntime keeps one arena per session, so cases that share a process
// would also count each other's sessions).
const memoryCases = {
  plain: (b: Int32Array[]) => fused(b, {}),
  norms: (b: Int32Array[]) => hostUpdate(b, { gradient: true, perExampleGradientNormSquared: true }),
  moments: (b: Int32Array[]) => fused(b, { secondMoment: true }),
  gram: (b: Int32Array[]) => fused(b, { gram: true }),
} as const;
const memoryArg = process.argv.indexOf('--memory-case');
if (memoryArg > 0) {
  const run = memoryCases[process.argv[memoryArg + 1] as keyof typeof memoryCases](batchesOf(128));
  for (let i = 0; i < 3; i++) await run(i);
  console.log(maxRss().toFixed(0));
  process.exit(0);
}
const memory = Object.keys(memoryCases).map((name) => {
  const args = [...process.execArgv, fileURLToPath(import.meta.url), '--memory-case', name];
  if (threads !== undefined) args.push('--threads', String(threads));
  return [name, Number(execFileSync(process.execPath, args, { encoding: 'utf8' }).trim().split('\n').at(-1))] as const;
});

const forwardOptions: ort.InferenceSession.SessionOptions = {
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
  interOpNumThreads: 1,
  extra: { session: { intra_op: { allow_spinning: '0' } } },
  ...(threads === undefined ? {} : { intraOpNumThreads: threads }),
};
const forwardSession = await ort.InferenceSession.create(await exportOnnx(model), forwardOptions);

const rows: string[] = [
  '| batch | case | wall ms | ratio (wall) | CPU ms | ratio (CPU) | target |',
  '| ---: | --- | ---: | ---: | ---: | ---: | --- |',
];
for (const n of batchSizes) {
  const batches = batchesOf(n);
  const inputs = batches.map(
    (b) =>
      new ort.Tensor(
        'float32',
        Float32Array.from(
          { length: n * 784 },
          (_, j) => dataset.features[(b[Math.floor(j / 784)] as number) * 784 + (j % 784)] as number,
        ),
        [n, 28, 28, 1],
      ),
  );
  const samples = await measureRounds(
    {
      forward: async (i) => void (await forwardSession.run({ input: inputs[i % inputs.length] as ort.Tensor })),
      trainingForward: async (i) => void (await model.evaluate(batches[i % batches.length] as Int32Array)),
      plain: fused(batches, {}),
      moments: fused(batches, { secondMoment: true }),
      referenceMoments: fused(batches, { secondMoment: { fidelity: 'reference' } }),
      gram: fused(batches, { gram: true }),
      plainHost: hostUpdate(batches, { gradient: true }),
      normsHost: hostUpdate(batches, { gradient: true, perExampleGradientNormSquared: true }),
    },
    { rounds: n === 16 ? 12 : 6, perRound: 2, warmup: 2 },
  );
  // Ratios are medians of per-round paired ratios, in wall-clock and in process CPU time (which
  // other jobs on a shared machine inflate far less).
  const row = (label: string, name: string, base: string | undefined, target = '') => {
    const ms = (clock: Record<string, number[][]>) => median((clock[name] ?? []).flat()).toFixed(1);
    const ratio = (clock: Record<string, number[][]>) =>
      base === undefined ? '' : `${pairedRatio(clock, name, base).toFixed(2)}× ${base === 'forward' ? 'forward' : ''}`;
    rows.push(
      `| ${n} | ${label} | ${ms(samples.wall)} | ${ratio(samples.wall)} | ${ms(samples.cpu)} | ${ratio(samples.cpu)} | ${target} |`,
    );
  };
  row('onnxruntime forward only (exported model)', 'forward', undefined);
  row('forward of a training graph', 'trainingForward', 'forward');
  row('plain step, update in the graph (`sgdStep`)', 'plain', 'forward', '≤ 3.5× forward');
  row('+ exact second moments', 'moments', 'plain', '≤ 1.8×');
  row('+ reference-fidelity moments', 'referenceMoments', 'plain');
  row('+ Gram', 'gram', 'plain', '≤ 2×');
  row('plain step, host update', 'plainHost', undefined);
  row('+ per-example norms, host update', 'normsHost', 'plainHost', '≤ 1.5×');
}

console.log(
  `@abs/backend-onnx CPU bench: CABS MNIST net (${parameterCount} parameters), threads ${threads ?? 'default'}`,
);
for (const line of rows) console.log(line);
console.log('peak RSS at batch 128, each case alone in a process (MiB):');
const [, base] = memory[0] as readonly [string, number];
for (const [label, rss] of memory) {
  console.log(`  ${label.padEnd(10)} ${rss.toFixed(0).padStart(6)}  (+${(rss - base).toFixed(0)} over the plain step)`);
}
await forwardSession.release();
model.dispose();
