/**
 * `dba-conv`: the DBA paper's data-scarce setting on a small conv net instead of its one-hidden-
 * layer MLP — class-balanced subsets of 60 and 10 digits per class drawn from the `mnist`
 * package's training split, tested on its 2000 held-out digits; `smallConvNet` (conv 5×5×8, pool,
 * conv 5×5×16, pool, dense 10); DBA at batch 32 in threshold mode (τ = 0.5, the default) and in
 * argmin mode, on Adam and on SGD-momentum, against the same optimisers at a fixed batch of 32,
 * with the same budget of examples; final-epoch test accuracy over seeds, next to the paper's
 * MLP figures.
 *
 * Scaled down: 12,000 examples a run (20 epochs of the 600 images, 120 of the 100) where the
 * `dba` suite trains 200 epochs; the findings say so. The quick form trains 320 examples.
 */
import { adam, fixedBatch, momentum, type Optimizer } from '@abs/core';
import { subset } from '@abs/data';
import { dba } from '@abs/dba';
import type { SuiteContext } from '../context';
import { modelName } from '../run-experiment';
import { smallConvNet } from './conv-nets';
import { summariseSetting } from './dba';
import { runVariants } from './run-variants';

const BATCH = 32;
const FULL_EXAMPLES = 12_000;

export async function dbaConvSuite(ctx: SuiteContext): Promise<void> {
  const digits = await ctx.images('mnist', ctx.quick ? 40 : 'all');
  const spec = smallConvNet([28, 28, 1]);
  const budget = ctx.budget ?? { examples: ctx.quick ? 320 : FULL_EXAMPLES };
  ctx.results.findings.push({
    suite: 'dba-conv',
    text: `scaled down: every run gets ${'examples' in budget ? `${budget.examples} examples` : `${budget.steps} steps`} at batch ${BATCH} (the dba suite: 200 epochs); test set: ${digits.test.size} held-out digits.`,
  });
  const bases: [string, () => Optimizer][] = [
    ['adam 1e-3', () => adam({ learningRate: 1e-3 })],
    ['sgd-momentum 0.01', () => momentum({ learningRate: 0.01, momentum: 0.9 })],
  ];
  for (const setting of [
    { name: 'mnist 60/class (1%)', perClass: 60 },
    { name: 'mnist 10/class', perClass: 10 },
  ]) {
    for (let seed = 1; seed <= ctx.seeds; seed++) {
      const data = {
        name: setting.name,
        train: subset(digits.train, { perClass: Math.min(setting.perClass, digits.train.size / 10) }, { seed }),
        test: digits.test,
      };
      for (const [baseName, base] of bases) {
        const variants = [
          ...(['threshold', 'argmin'] as const).map((mode) => ({
            name: mode === 'threshold' ? 'dba' : 'dba-argmin',
            label: `${mode === 'threshold' ? 'dba' : 'dba-argmin'} ${baseName}`,
            make: () => dba({ batchSize: BATCH, optimizer: base(), mode }),
          })),
          { name: 'fixed-batch', label: baseName, make: () => fixedBatch({ optimizer: base(), batchSize: BATCH }) },
        ];
        await runVariants(
          ctx,
          { suite: 'dba-conv', dataset: data, spec, seed, budget, evaluations: 5, maxTrace: 200 },
          variants,
        );
      }
    }
    const runs = ctx.results.runs.filter(
      (r) => r.suite === 'dba-conv' && r.dataset === setting.name && r.model === modelName(spec),
    );
    if (runs.length > 0)
      ctx.results.findings.push({ suite: 'dba-conv', text: summariseSetting(setting.name, runs, modelName(spec)) });
  }
}
