/**
 * CPU benchmark of a CABS-shaped step on @abs/backend-onnx: `sgdStep` with `gradientVariance`
 * (update, ‖∇‖² and ξ = tr Σ in one graph run, only scalars back), and the normalised step
 * (`normalize`, LABPAL's NSGD step), against the plain fused `sgdStep` at the same batch, on
 * mlp([784, 512, 10]) and on the CABS MNIST net. Medians of interleaved repeats per batch size,
 * in wall-clock and in process CPU time (which other jobs on a shared machine inflate far
 * less); ratios are medians of per-round paired ratios. The breakdown: the same graphs run
 * directly on onnxruntime with feeds built once (`run only`), so `step − run only` is what the
 * model does around the run (batch gather, feeds, reading the outputs).
 *
 * Run: cd packages/backend-onnx && npx tsx --conditions=@abs/source scripts/bench-variance.ts
 *        [--net mlp|conv|both] [--batches 16,128,1024] [--conv-batches 16,128] [--threads N]
 */
import {
  cabsMnistNet,
  createRng,
  type Dataset,
  describeSpec,
  type ModelSpec,
  mlp,
  type SgdStepRequest,
} from '@abs/core';
import * as ort from 'onnxruntime-node';
import { gatherRows, gatherTargets } from '../src/batch-inputs';
import type { GraphSignature } from '../src/graph/signature';
import { buildTrainingGraph, scalarValue } from '../src/graph/training-graph';
import { onnxBackend } from '../src/index';
import { encodeModel } from '../src/proto/onnx-proto';
import { planRequest } from '../src/request-plan';
import { resolveOnnxBackendConfig } from '../src/resolve-onnx-backend-config';
import { loadRuntime } from '../src/runtime/load-runtime';
import { measureRounds, median, pairedRatio } from './measure';

const argument = (flag: string) => {
  const at = process.argv.indexOf(flag);
  return at > 0 ? (process.argv[at + 1] as string) : undefined;
};
const threads = argument('--threads') === undefined ? undefined : Number(argument('--threads'));
const net = argument('--net') ?? 'both';
const list = (value: string) => value.split(',').map(Number);
const mlpBatches = list(argument('--batches') ?? '16,128,1024');
const convBatches = list(argument('--conv-batches') ?? '16,128');

// The backend's own session options, so that `run only` runs the graphs as the model does.
const { sessionOptions } = await loadRuntime(resolveOnnxBackendConfig(threads === undefined ? {} : { threads }));

function syntheticDataset(featureShape: readonly number[], examples: number): Dataset {
  const rng = createRng(1);
  const width = featureShape.reduce((a, b) => a * b, 1);
  return {
    name: 'synthetic',
    size: examples,
    featureShape,
    features: Float32Array.from({ length: examples * width }, () => rng.nextFloat()),
    labels: Int32Array.from({ length: examples }, () => Math.floor(rng.nextFloat() * 10)),
    numClasses: 10,
  };
}

async function bench(label: string, spec: ModelSpec, batchSizes: readonly number[], learningRate: number) {
  const featureShape = describeSpec(spec).inputShape;
  const dataset = syntheticDataset(featureShape, 4096);
  const width = featureShape.reduce((a, b) => a * b, 1);
  const model = await onnxBackend(threads === undefined ? {} : { threads }).compile(spec, dataset, { seed: 1 });
  const conv = spec.layers.some((l) => l.kind === 'conv2d');
  const epsilon = 1e-8;
  const variants: Record<
    string,
    { request: SgdStepRequest; variance?: 'norms' | 'reference'; normalize?: { epsilon: number } }
  > = {
    plain: { request: {} },
    xi: { request: { gradientVariance: true }, variance: 'norms' },
    normalized: { request: {}, normalize: { epsilon } },
    ...(conv
      ? { xiReference: { request: { gradientVariance: { fidelity: 'reference' } }, variance: 'reference' } }
      : {}),
  };
  // The same graphs, run directly with feeds built once: the signature `sgdStep` plans (no
  // statistics, no weight decay) with the step and ξ added as `sgdStep` adds them.
  const { signature } = planRequest(
    {},
    { layers: model.layers, n: 1, outputs: 10, parameterShapes: model.parameterInfo.map((p) => p.shape) },
  );
  const sessions = Object.fromEntries(
    await Promise.all(
      Object.entries(variants).map(async ([name, v]) => {
        const sig: GraphSignature = {
          ...signature,
          step: 'sgd',
          ...(v.variance ? { variance: v.variance } : {}),
          ...(v.normalize ? { normalize: true } : {}),
        };
        const bytes = encodeModel(buildTrainingGraph(spec, sig));
        return [name, await ort.InferenceSession.create(bytes, sessionOptions)] as const;
      }),
    ),
  );
  const rng = createRng(2);
  const lines: string[] = [];
  for (const n of batchSizes) {
    const batches = Array.from({ length: 8 }, () =>
      Int32Array.from({ length: n }, () => Math.floor(rng.nextFloat() * dataset.size)),
    );
    const parameters = await model.readParameters();
    const feedsOf = (session: ort.InferenceSession, b: Int32Array) => {
      const feeds: Record<string, ort.Tensor> = {};
      for (const input of session.inputNames) {
        const p = /^param_(\d+)$/.exec(input);
        if (p) {
          const k = Number(p[1]);
          feeds[input] = new ort.Tensor('float32', parameters[k] as Float32Array, [
            ...(model.parameterInfo[k]?.shape ?? []),
          ]);
        } else if (input === 'x')
          feeds[input] = new ort.Tensor('float32', gatherRows(dataset.features, b, width), [n, width]);
        else if (input === 'target')
          feeds[input] = new ort.Tensor('float32', gatherTargets(dataset, spec.loss, b, 10), [n, 10]);
        else if (input === 'ones') feeds[input] = new ort.Tensor('float32', new Float32Array(n).fill(1), [1, n]);
        else if (input === 'step_rate') feeds[input] = new ort.Tensor('float32', Float32Array.of(learningRate), [1]);
        else if (input === 'step_epsilon') feeds[input] = new ort.Tensor('float32', Float32Array.of(epsilon), [1]);
        else feeds[input] = new ort.Tensor('float32', Float32Array.of(scalarValue(input, n, 'loss')), [1]);
      }
      return feeds;
    };
    const cases: Record<string, (i: number) => Promise<void>> = {};
    for (const [name, v] of Object.entries(variants)) {
      cases[name] = async (i) => {
        const step = { learningRate, ...(v.normalize ? { normalize: v.normalize } : {}) };
        const r = await model.sgdStep?.(batches[i % batches.length] as Int32Array, step, v.request);
        if (!r?.applied) throw new Error(`${name}: sgdStep did not apply`);
      };
      const session = sessions[name] as ort.InferenceSession;
      const feeds = batches.map((b) => feedsOf(session, b));
      cases[`${name}Run`] = async (i) =>
        void (await session.run(feeds[i % feeds.length] as Record<string, ort.Tensor>));
    }
    // About the same wall time per batch size: fewer repeats where a step is slow.
    const work = n * (conv ? 30 : 1);
    const samples = await measureRounds(cases, {
      rounds: work >= 2048 ? 10 : 20,
      perRound: work >= 512 ? 1 : 3,
      warmup: 2,
    });
    const medians = (r: Record<string, number[][]>) =>
      Object.fromEntries(Object.entries(r).map(([name, rounds]) => [name, median(rounds.flat())]));
    const [wall, cpu] = [medians(samples.wall), medians(samples.cpu)];
    const row = (name: string, what: string) => {
      const cells = [
        String(n),
        what,
        (wall[name] as number).toFixed(2),
        `${pairedRatio(samples.wall, name, 'plain').toFixed(2)}×`,
        (cpu[name] as number).toFixed(2),
        `${pairedRatio(samples.cpu, name, 'plain').toFixed(2)}×`,
        (cpu[`${name}Run`] as number).toFixed(2),
        `${pairedRatio(samples.cpu, `${name}Run`, 'plainRun').toFixed(2)}×`,
        ((cpu[name] as number) - (cpu[`${name}Run`] as number)).toFixed(2),
      ];
      lines.push(`| ${cells.join(' | ')} |`);
    };
    row('plain', 'plain sgdStep');
    row('xi', 'sgdStep + ξ (norms)');
    if (conv) row('xiReference', "sgdStep + ξ ('reference')");
    row('normalized', 'normalised sgdStep');
  }
  console.log(
    `\n${label}, threads ${threads ?? 'default'}, sessions built by the model: ${model.sessionStats().sessions}`,
  );
  console.log(
    '| batch | step | wall ms | vs plain | CPU ms | vs plain | run only, CPU ms | vs plain | around the run, CPU ms |',
  );
  console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const line of lines) console.log(line);
  for (const s of Object.values(sessions)) await s.release();
  model.dispose();
}

if (net !== 'conv') await bench('mlp([784, 512, 10])', mlp([784, 512, 10]), mlpBatches, 0.01);
if (net !== 'mlp') await bench('CABS MNIST net', cabsMnistNet(), convBatches, 1e-4);
