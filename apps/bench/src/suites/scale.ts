/**
 * `scale`: data-parallel throughput over MPI. For each rank count in `--ranks` (default 1,2) it
 * launches `mpirun -np R` on this file, whose ranks train mlp([784, 512, 10]) data-parallel
 * (`@abs/distributed`) on the primary backend with a CABS-style step — loss, gradient and
 * per-example gradient norms over a global batch of 256, then an SGD update — and time the
 * step and the part of it spent in collectives (all-reduce and all-gather, including waiting
 * for the slowest rank). Records examples/s per rank count and the collectives' share.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Dataset, disposeList, mlp, sgd } from '@abs/core';
import { type Communicator, dataParallel, runMpi } from '@abs/distributed';
import { type BackendName, loadBackend } from '../backends';
import type { SuiteContext } from '../context';
import { modelName } from '../run-experiment';

const BATCH = 256;
const SPEC = mlp([784, 512, 10]);

interface WorkerArgs {
  readonly backend: BackendName;
  readonly steps: number;
}

interface WorkerResult {
  readonly ranks: number;
  readonly msPerStep: number;
  readonly collectiveMsPerStep: number;
  readonly steps: number;
}

function syntheticData(size: number): Dataset {
  const features = new Float32Array(size * 784);
  for (let i = 0; i < features.length; i++) features[i] = ((i * 2654435761) % 1000) / 1000;
  const labels = Int32Array.from({ length: size }, (_, i) => i % 10);
  return { name: 'synthetic', size, featureShape: [784], features, labels, numClasses: 10 };
}

/** The communicator with the time spent in its collectives added up. */
function timed(inner: Communicator): Communicator & { ms: number } {
  const clock = {
    ms: 0,
    rank: inner.rank,
    size: inner.size,
    async allreduce(values: Float64Array, op: 'sum' | 'max') {
      const t0 = performance.now();
      const out = await inner.allreduce(values, op);
      clock.ms += performance.now() - t0;
      return out;
    },
    async allgather(values: Float64Array, counts: readonly number[]) {
      const t0 = performance.now();
      const out = await inner.allgather(values, counts);
      clock.ms += performance.now() - t0;
      return out;
    },
    broadcast: (bytes: Uint8Array, root: number) => inner.broadcast(bytes, root),
  };
  return clock;
}

/** One rank of `mpirun -np R node … scale.ts '<json>'`; rank 0 prints a `WorkerResult` line. */
async function worker(args: WorkerArgs): Promise<void> {
  await runMpi(async (mpi) => {
    const loaded = await loadBackend(args.backend);
    if (!('backend' in loaded)) throw new Error(`scale: backend ${args.backend} did not load: ${loaded.skipped}`);
    await loaded.activate();
    const communicator = timed(mpi);
    const model = await dataParallel(await loaded.backend.compile(SPEC, syntheticData(4096), { seed: 1 }), {
      communicator,
      agree: args,
    });
    const optimizer = sgd({ learningRate: 1e-3 });
    let state = optimizer.init(model.ops, model.parameters);
    let offset = 0;
    const step = async () => {
      const batch = Int32Array.from({ length: BATCH }, (_, i) => (offset + i) % 4096);
      offset += BATCH;
      const r = await model.evaluate(batch, { gradient: true, perExampleGradientNormSquared: true });
      const next = optimizer.update(model.ops, { gradient: r.gradient ?? [], parameters: model.parameters, state });
      model.setParameters(next.parameters);
      state = next.state;
      disposeList(model.ops, r.gradient);
    };
    await step(); // warm-up: JIT, sessions, MPI connections
    communicator.ms = 0;
    const t0 = performance.now();
    for (let i = 0; i < args.steps; i++) await step();
    const result: WorkerResult = {
      ranks: mpi.size,
      msPerStep: (performance.now() - t0) / args.steps,
      collectiveMsPerStep: communicator.ms / args.steps,
      steps: args.steps,
    };
    if (model.isRoot) process.stdout.write(`${JSON.stringify(result)}\n`);
    model.dispose();
  });
}

export async function scaleSuite(ctx: SuiteContext): Promise<void> {
  const rankCounts = ctx.ranks ?? [1, 2];
  const cap = ctx.budget && 'steps' in ctx.budget ? ctx.budget.steps : Number.POSITIVE_INFINITY;
  const args: WorkerArgs = { backend: ctx.primary.name, steps: Math.min(ctx.quick ? 10 : 50, cap) };
  const script = fileURLToPath(import.meta.url);
  for (const ranks of rankCounts) {
    ctx.log(`scale: ${ranks} rank${ranks === 1 ? '' : 's'} on ${args.backend}`);
    const run = spawnSync(
      'mpirun',
      [
        '-np',
        String(ranks),
        process.execPath,
        '--import',
        'tsx',
        '--conditions=@abs/source',
        script,
        JSON.stringify(args),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const line = run.stdout?.trim().split('\n').at(-1) ?? '';
    if (run.error || run.status !== 0 || !line.startsWith('{')) {
      const reason = run.error ? run.error.message : run.stderr.trim().split('\n').slice(-3).join(' ');
      ctx.log(`scale: skipped (mpirun -np ${ranks} failed: ${reason}; install MPICH: apt-get install mpich)`);
      return;
    }
    const result = JSON.parse(line) as WorkerResult;
    const share = result.collectiveMsPerStep / result.msPerStep;
    ctx.log(
      `scale: ${ranks} ranks: ${result.msPerStep.toFixed(1)} ms/step, ${((BATCH / result.msPerStep) * 1000).toFixed(0)} examples/s, collectives ${(100 * share).toFixed(0)}% of a step`,
    );
    const record = (measure: string, ms: number) =>
      ctx.results.speed.push({
        backend: `${args.backend}/mpi×${ranks}`,
        model: modelName(SPEC),
        batchSize: BATCH,
        measure,
        msPerStep: ms,
        gflops: null,
        repetitions: result.steps,
        memoryBytes: null,
      });
    record(`scale: norms step on ${ranks} rank${ranks === 1 ? '' : 's'}`, result.msPerStep);
    record(`scale: collectives within it (${(100 * share).toFixed(0)}%)`, result.collectiveMsPerStep);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await worker(JSON.parse(process.argv[2] ?? '{}') as WorkerArgs);
}
