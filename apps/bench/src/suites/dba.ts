/**
 * `dba`: the data-scarce setting of the DBA paper on real MNIST digits (spec §9, project
 * scale): class-balanced training subsets of 60 per class ("1%": 600 images) and 10 per class
 * (100 images) drawn from the training split, evaluated on the disjoint held-out split;
 * mlp([784, H, 10]) relu with H ∈ {128, 512, 1000}; DBA (Adam and SGD-momentum bases) against
 * plain Adam and SGD-momentum with the same budget of examples. Final-epoch accuracy only —
 * never the best epoch. Seeds vary the initialisation, the sampler and the data draw.
 *
 * Also the cost: ms per DBA step vs a plain step at batch 128 on mlp([784, 512, 10]), and the
 * memory DBA needs (per-layer Gram matrices) against materialising per-example gradients.
 */
import { adam, type Dataset, fixedBatch, mlp, momentum, type Optimizer, train } from '@abs/core';
import { subset } from '@abs/data';
import { dba } from '@abs/dba';
import type { SuiteContext } from '../context';
import { runExperiment } from '../run-experiment';

const BATCH = 32;

export async function dbaSuite(ctx: SuiteContext): Promise<void> {
  const mnist = await ctx.data('mnist');
  const widths = ctx.hidden ?? (ctx.quick ? [128] : [128, 512, 1000]);
  const epochs = ctx.quick ? 10 : 200;
  const settings = [
    { name: 'mnist 60/class (1%)', perClass: 60 },
    { name: 'mnist 10/class', perClass: 10 },
  ];
  const bases: [string, () => Optimizer][] = [
    ['adam 1e-3', () => adam({ learningRate: 1e-3 })],
    ['sgd-momentum 0.01', () => momentum({ learningRate: 0.01, momentum: 0.9 })],
  ];
  const selected = (name: string) => !ctx.algorithms || ctx.algorithms.includes(name);
  for (const setting of settings) {
    for (const width of widths) {
      const spec = mlp([784, width, 10]);
      for (let seed = 1; seed <= ctx.seeds; seed++) {
        const train: Dataset = subset(mnist.train, { perClass: setting.perClass }, { seed });
        const data = { name: setting.name, train, test: mnist.test };
        const budget = ctx.budget ?? { examples: epochs * train.size };
        for (const [baseName, base] of bases) {
          if (selected('dba')) {
            ctx.results.runs.push(
              await runExperiment(ctx.primary, {
                suite: 'dba',
                label: `dba ${baseName}`,
                algorithm: () => dba({ batchSize: BATCH, optimizer: base() }),
                dataset: data,
                spec,
                seed,
                budget,
                evaluations: 5,
              }),
            );
          }
          if (selected('fixed-batch')) {
            ctx.results.runs.push(
              await runExperiment(ctx.primary, {
                suite: 'dba',
                label: baseName,
                algorithm: () => fixedBatch({ optimizer: base(), batchSize: BATCH }),
                dataset: data,
                spec,
                seed,
                budget,
                evaluations: 5,
              }),
            );
          }
        }
      }
    }
  }
  await dbaCost(ctx);
}

/** ms per step, DBA vs fixed batch, at N = 128 on mlp([784, 512, 10]); memory of each approach. */
async function dbaCost(ctx: SuiteContext): Promise<void> {
  const n = 128;
  const spec = mlp([784, 512, 10]);
  const data = (await ctx.data('mnist')).train;
  const steps = ctx.budget && 'steps' in ctx.budget ? ctx.budget.steps : ctx.quick ? 20 : 100;
  const parameterCount = 784 * 512 + 512 + 512 * 10 + 10;
  const timings: Record<string, number> = {};
  for (const [measure, make] of [
    ['plain step', () => fixedBatch({ optimizer: adam(), batchSize: n })],
    ['dba step', () => dba({ batchSize: n, optimizer: adam() })],
  ] as const) {
    await ctx.primary.activate();
    const model = await ctx.primary.backend.compile(spec, data, { seed: 1 });
    await train(model, make(), { steps: 2 }).then((r) => r.dispose()); // warm-up
    const run = await train(model, make(), { steps });
    timings[measure] = run.wallMs / steps;
    run.dispose();
    model.dispose();
  }
  // DBA keeps two N×N float64 Gram matrices (one per layer); per-example gradients would be N·P floats.
  const gramBytes = 2 * n * n * 8;
  const perExampleBytes = n * parameterCount * 4;
  ctx.results.speed.push(
    {
      backend: ctx.primary.name,
      model: 'mlp[784,512,10] relu',
      batchSize: n,
      measure: 'plain step (fixed batch, adam)',
      msPerStep: timings['plain step'] ?? Number.NaN,
      gflops: null,
      repetitions: steps,
      memoryBytes: null,
    },
    {
      backend: ctx.primary.name,
      model: 'mlp[784,512,10] relu',
      batchSize: n,
      measure: 'dba step (Gram + selection + weighted gradient)',
      msPerStep: timings['dba step'] ?? Number.NaN,
      gflops: null,
      repetitions: steps,
      memoryBytes: gramBytes,
    },
    {
      backend: ctx.primary.name,
      model: 'mlp[784,512,10] relu',
      batchSize: n,
      measure: 'materialised per-example gradients (not run)',
      msPerStep: Number.NaN,
      gflops: null,
      repetitions: 0,
      memoryBytes: perExampleBytes,
    },
  );
  ctx.log(
    `dba cost: ${(timings['dba step'] ?? 0).toFixed(2)} ms vs ${(timings['plain step'] ?? 0).toFixed(2)} ms per plain step; Gram ${(gramBytes / 2 ** 20).toFixed(2)} MiB vs per-example gradients ${(perExampleBytes / 2 ** 20).toFixed(0)} MiB`,
  );
}
