/**
 * `arbiter`: the project-scale experiment of spec §8 and issue 8 on MNIST and Fashion-MNIST —
 * mlp([784, 512, 256, 10]) relu, 10 epochs; Arbiter stand-alone and with a fixed multistep
 * schedule against fixed batch sizes 32/128/512 and CABS, with the same budget of examples.
 * Arbiter carves its validation part (the last 20% by index) out of the training split; the
 * other runs train on the same first 80%, so every run sees the same training examples.
 */
import { arbiter } from '@abs/arbiter';
import { cabs } from '@abs/cabs';
import { fixedBatch, mlp, momentum } from '@abs/core';
import { splitByIndex } from '@abs/data';
import type { NamedData, SuiteContext } from '../context';
import { runExperiment } from '../run-experiment';

const inner = () => momentum({ learningRate: 0.1, momentum: 0.9, weightDecay: 5e-4 });

export async function arbiterSuite(ctx: SuiteContext): Promise<void> {
  const names = ctx.quick ? (['mnist'] as const) : (['mnist', 'fashion-mnist'] as const);
  const epochs = ctx.quick ? 2 : 10;
  const spec = mlp([784, 512, 256, 10]);
  for (const name of names) {
    const data = await ctx.data(name);
    const trainPart = splitByIndex(data.train, 0.8).first;
    const trainOnly: NamedData = { name: `${data.name} (first 80%)`, train: trainPart, test: data.test };
    const arbiterData: NamedData = { name: `${data.name} (first 80%)`, train: data.train, test: data.test };
    const budget = ctx.budget ?? { examples: epochs * trainPart.size };
    const runs = [
      { label: 'arbiter', data: arbiterData, make: () => arbiter({ innerOptimizer: inner() }) },
      {
        label: 'arbiter + multistep',
        data: arbiterData,
        make: () =>
          arbiter({
            innerOptimizer: inner(),
            fixedSchedule: {
              milestones: [Math.max(1, Math.round(epochs * 0.3)), Math.max(2, Math.round(epochs * 0.6))],
              sizes: [256, 512],
            },
          }),
      },
      ...[32, 128, 512].map((batchSize) => ({
        label: `sgd-momentum bs=${batchSize}`,
        data: trainOnly,
        make: () => fixedBatch({ optimizer: inner(), batchSize }),
      })),
      { label: 'cabs lr=0.1', data: trainOnly, make: () => cabs({ learningRate: 0.1 }) },
    ];
    for (let seed = 1; seed <= ctx.seeds; seed++) {
      for (const run of runs) {
        if (ctx.algorithms && !ctx.algorithms.some((a) => run.label.startsWith(a))) continue;
        await ctx.record(
          await runExperiment(ctx.primary, {
            suite: 'arbiter',
            label: run.label,
            algorithm: run.make,
            dataset: run.data,
            spec,
            seed,
            budget,
            evaluations: epochs,
          }),
        );
      }
    }
  }
}
