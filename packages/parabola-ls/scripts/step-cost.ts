/**
 * PAL's step and LABPAL's training call against a plain `fixedBatch(sgd)` step (through the
 * backend's `sgdStep` where it has one) on `mlp([784, 512, 10])`, each on its own model, repeats
 * interleaved (repeat r of every case before r + 1), medians of ms per step. LABPAL is timed on
 * its training calls only (its window recurs once per 10⁶ calls, so none falls in the timed run);
 * the data are synthetic: the cost of a step does not depend on the values. The `composed` rows run
 * the same algorithms on ops without the fused line kernels (`probeLine`, `moveAlongLine`): the
 * list operations as they were before the kernels, for a before/after in one run.
 *
 *   npx tsx --conditions=@abs/source scripts/step-cost.ts [onnx|js] [batch ...]
 *
 * The onnx backend is imported from its source folder: it is not a dependency of this package.
 */
import { type Algorithm, type AlgorithmState, type Dataset, fixedBatch, type Model, mlp, sgd } from '@abs/core';
import { labpal, pal } from '../src/index';

const REPEATS = 9;
const STEPS = 20;

function digits(size: number): Dataset {
  const features = new Float32Array(size * 784);
  for (let i = 0; i < features.length; i++) features[i] = ((i * 2654435761) % 1000) / 1000;
  const labels = Int32Array.from({ length: size }, (_, i) => i % 10);
  return { name: 'synthetic', size, featureShape: [784], features, labels, numClasses: 10 };
}

async function compile(backend: string, data: Dataset): Promise<Model<unknown>> {
  const spec = mlp([784, 512, 10]);
  if (backend === 'onnx') {
    const { onnxBackend } = await import('../../backend-onnx/src/index');
    return (await onnxBackend({ executionProviders: ['cpu'] }).compile(spec, data, { seed: 1 })) as Model<unknown>;
  }
  const { jsBackend } = await import('@abs/backend-js');
  return (await jsBackend().compile(spec, data, { seed: 1 })) as Model<unknown>;
}

/** The model with ops that lack the fused line kernels, so the line search composes them. */
function withoutLineKernels(model: Model<unknown>): Model<unknown> {
  const { probeLine: _probe, moveAlongLine: _move, ...ops } = model.ops;
  return Object.assign(Object.create(model), { ops });
}

interface Session {
  readonly name: string;
  readonly model: Model<unknown>;
  readonly algorithm: Algorithm;
  state: AlgorithmState;
  readonly samples: number[];
}

/** Mean ms of the next `count` steps whose report is not a LABPAL measuring call. */
async function run(session: Session, count: number): Promise<number> {
  let total = 0;
  let timed = 0;
  while (timed < count) {
    const t0 = performance.now();
    const { state, report } = await session.algorithm.step(session.model, session.state);
    const ms = performance.now() - t0;
    session.state = state;
    if ((report as { phase?: string }).phase === 'measure') continue;
    total += ms;
    timed++;
  }
  return total / count;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

const [backend = 'onnx', ...batchArgs] = process.argv.slice(2);
const batches = batchArgs.length > 0 ? batchArgs.map(Number) : [16];
const data = digits(4096);
for (const batch of batches) {
  const cases: [string, Algorithm, boolean][] = [
    ['sgd', fixedBatch({ optimizer: sgd({ learningRate: 0.05 }), batchSize: batch }), false],
    ['pal', pal({ batchSize: batch }), false],
    ['pal, composed', pal({ batchSize: batch }), true],
    ['labpal', labpal({ batchSize: batch, reuseSteps: 1_000_000 }), false],
    ['labpal, composed', labpal({ batchSize: batch, reuseSteps: 1_000_000 }), true],
  ];
  const sessions: Session[] = [];
  for (const [name, algorithm, composed] of cases) {
    const compiled = await compile(backend, data);
    const model = composed ? withoutLineKernels(compiled) : compiled;
    sessions.push({ name, model, algorithm, state: await algorithm.init(model, { seed: 1 }), samples: [] });
  }
  for (const session of sessions) await run(session, STEPS); // warm-up (and LABPAL's first window)
  for (let r = 0; r < REPEATS; r++) for (const session of sessions) session.samples.push(await run(session, STEPS));
  const base = median((sessions[0] as Session).samples);
  for (const session of sessions) {
    const ms = median(session.samples);
    console.log(
      `${backend} batch ${batch} ${session.name.padEnd(16)} ${ms.toFixed(2)} ms (${(ms / base).toFixed(2)}×)`,
    );
    session.model.dispose();
  }
}
