/**
 * The CABS-shaped step against the plain fused step: `model.sgdStep(batch, { learningRate },
 * { gradientVariance: true })` (update, loss, ‖∇‖² and ξ from one pass, one read) against
 * `model.sgdStep(batch, { learningRate })`, on mlp([784, 512, 10]) at batches 16, 128 and 1024
 * and on core's `cabsMnistNet()` at 16 and 128. Cases are interleaved round by round after a
 * warm-up; ms are medians, ratios the median of per-round (paired) ratios. Then interleaved
 * profiled steps of each (tf.profile; medians): the time inside kernels, their count, the rest
 * of the wall time (JavaScript, the read back, and the profiler's own bookkeeping), and the
 * kernels whose time grows most with ξ. `--step normalized` times the normalised step
 * (`normalize: { epsilon }`, LABPAL's NSGD step) against the plain one instead of the CABS step.
 *
 * Run: cd packages/backend-tfjs && npx tsx --conditions=@abs/source scripts/bench-variance.ts
 *        [--backend wasm|cpu] [--net mlp|cabs] [--batches 16,128] [--rounds 9] [--fidelity reference]
 *        [--step cabs|normalized]
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cabsMnistNet, createRng, type Dataset, type Model, mlp, type SgdStep, type SgdStepRequest } from '@abs/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { tfjsBackend } from '../src/index';
import { measure, median } from './measure';

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] as string) : fallback;
};
const tfBackend = arg('backend', 'wasm');
const net = arg('net', 'mlp');
const batchSizes = arg('batches', net === 'mlp' ? '16,128,1024' : '16,128')
  .split(',')
  .map(Number);
const rounds = Number(arg('rounds', net === 'mlp' ? '15' : '5'));
const require = createRequire(import.meta.url);
setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
await tf.setBackend(tfBackend);

const examples = net === 'mlp' ? 8192 : 2048;
const rng = createRng(1);
const dataset: Dataset = {
  name: 'synthetic-784',
  size: examples,
  featureShape: net === 'mlp' ? [784] : [28, 28, 1],
  features: Float32Array.from({ length: examples * 784 }, () => rng.nextFloat()),
  labels: Int32Array.from({ length: examples }, () => Math.floor(rng.nextFloat() * 10)),
  numClasses: 10,
};
const spec = net === 'mlp' ? mlp([784, 512, 10]) : cabsMnistNet();
const backend = tfjsBackend({ tf });
// CABS's default (`fidelity: 'exact'`) asks for `true`; `--fidelity reference` the authors' conv moments.
const normalized = arg('step', 'cabs') === 'normalized';
const cabs: SgdStepRequest = normalized
  ? {}
  : { gradientVariance: arg('fidelity', 'exact') === 'reference' ? { fidelity: 'reference' } : true };
const learningRate = 0.01;
const step: SgdStep = normalized ? { learningRate, normalize: { epsilon: 1e-8 } } : { learningRate };

/** One step; throws when it was refused (the timing would not be that of a step). */
const stepOf =
  (model: Model<tf.Tensor>, batches: Int32Array[], how: SgdStep, request?: SgdStepRequest) => async (i: number) => {
    const r = await model.sgdStep?.(batches[i % batches.length] as Int32Array, how, request);
    if (!r?.applied) throw new Error('sgdStep did not apply');
  };

/** One profiled call: wall ms, ms inside kernels, kernel count and ms per kernel name. */
async function profile(run: () => Promise<void>) {
  const start = performance.now();
  const info = await tf.profile(run);
  const wall = performance.now() - start;
  const byName = new Map<string, number>();
  let inside = 0;
  // `name__op` entries (ops with a custom gradient) wrap kernels that are listed on their own.
  const kernels = info.kernels.filter((k) => !k.name.endsWith('__op'));
  for (const k of kernels) {
    const t = (await k.kernelTimeMs) as number;
    inside += t;
    byName.set(k.name, (byName.get(k.name) ?? 0) + t);
  }
  return { wall, inside, count: kernels.length, byName };
}

type Profile = Awaited<ReturnType<typeof profile>>;

/** Medians over interleaved profiled calls: in and outside kernels, and per kernel name. */
const summarise = (list: readonly Profile[]) => ({
  inside: median(list.map((r) => r.inside)),
  outside: median(list.map((r) => r.wall - r.inside)),
  count: list[0]?.count as number,
  kernel: (name: string) => median(list.map((r) => r.byName.get(name) ?? 0)),
  names: new Set(list.flatMap((r) => [...r.byName.keys()])),
});

console.log(
  `@abs/backend-tfjs: ${normalized ? 'normalised' : 'CABS-shaped'} sgdStep (${JSON.stringify(step)}, ` +
    `${JSON.stringify(cabs)}) vs the plain sgdStep, ${net}, ` +
    `tfjs ${tf.version_core} '${tf.getBackend()}'`,
);
const rows: string[] = [];
for (const n of batchSizes) {
  const model = await backend.compile(spec, dataset, { seed: 1 });
  const batches = Array.from({ length: 16 }, () =>
    Int32Array.from({ length: n }, () => Math.floor(rng.nextFloat() * examples)),
  );
  const plain = stepOf(model, batches, { learningRate });
  const withXi = stepOf(model, batches, step, cabs);
  const { ms, ratio } = await measure(
    { plain, cabs: withXi },
    { rounds, perRound: net === 'mlp' ? 5 : 1, warmup: net === 'mlp' ? 5 : 1 },
  );
  const profiles: { plain: Profile[]; cabs: Profile[] } = { plain: [], cabs: [] };
  for (let k = 0; k < (net === 'mlp' ? 7 : 3); k++) {
    profiles.plain.push(await profile(() => plain(k)));
    profiles.cabs.push(await profile(() => withXi(k)));
  }
  const [p, c] = [summarise(profiles.plain), summarise(profiles.cabs)];
  // The kernels whose median time grows most with ξ.
  const extra = [...c.names]
    .map((name) => ({ name, ms: c.kernel(name) - p.kernel(name) }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 3)
    .map((k) => `${k.name} ${k.ms >= 0 ? '+' : ''}${k.ms.toFixed(2)}`)
    .join(', ');
  const cell = (s: typeof p) => `${s.inside.toFixed(2)} / ${s.count} / ${s.outside.toFixed(2)}`;
  rows.push(
    `| ${n} | ${ms.plain.toFixed(2)} | ${ms.cabs.toFixed(2)} | ${ratio('cabs', 'plain').toFixed(2)}× | ` +
      `${cell(p)} | ${cell(c)} | ${extra} |`,
  );
  console.log(rows.at(-1));
  model.dispose();
}
console.log(
  `| batch | plain sgdStep ms | ${normalized ? 'normalised' : '+ gradientVariance'} ms | ratio | ` +
    'plain: ms in kernels / kernels / ms outside | ' +
    `${normalized ? 'normalised' : '+ ξ'}: ms in kernels / kernels / ms outside | kernels it adds most to (ms) |`,
);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
console.log(`tensors alive at the end: ${tf.memory().numTensors}`);
