/**
 * `baselines`: fixed-batch SGD (lr 0.1) at batch sizes 16, 128 and 1024 and Adam (1e-3,
 * batch 128) on MNIST with the same budget of examples — the reference curves the adaptive
 * methods are compared against.
 */
import { adam, fixedBatch, mlp, sgd } from '@abs/core';
import type { SuiteContext } from '../context';
import { runExperiment } from '../run-experiment';

export async function baselinesSuite(ctx: SuiteContext): Promise<void> {
  const data = await ctx.data('mnist');
  const spec = mlp([784, 128, 10]);
  const budget = ctx.budget ?? { examples: ctx.quick ? 8000 : 3 * data.train.size };
  const variants = [
    { label: 'sgd bs=16', make: () => fixedBatch({ optimizer: sgd({ learningRate: 0.1 }), batchSize: 16 }) },
    { label: 'sgd bs=128', make: () => fixedBatch({ optimizer: sgd({ learningRate: 0.1 }), batchSize: 128 }) },
    { label: 'sgd bs=1024', make: () => fixedBatch({ optimizer: sgd({ learningRate: 0.1 }), batchSize: 1024 }) },
    { label: 'adam bs=128', make: () => fixedBatch({ optimizer: adam({ learningRate: 1e-3 }), batchSize: 128 }) },
  ];
  for (let seed = 1; seed <= ctx.seeds; seed++) {
    for (const v of variants) {
      await ctx.record(
        await runExperiment(ctx.primary, {
          suite: 'baselines',
          label: v.label,
          algorithm: v.make,
          dataset: data,
          spec,
          seed,
          budget,
        }),
      );
    }
  }
}
