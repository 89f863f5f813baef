/**
 * `labpal-resnet`: the LABPAL paper's setting — a ResNet with batch norm at batch 128 — at CPU
 * scale: `resnet20` at widths 4/8/16 (ResNet-20's 3 × 3 basic blocks, a quarter of its 16/32/64
 * channels), LABPAL (NSGD and SGD mode, exact fit) and PAL against SGD with momentum 0.9 (its
 * learning rate tuned on a quarter of the budget) and Adam, on the same examples. CIFAR-10 with
 * `--data-dir`, else Fashion-MNIST; 8000 training images either way.
 *
 * Scaled down: 3 epochs (24,000 examples, ~190 calls) where the paper trains for ~10⁵ calls, so
 * LABPAL re-measures every 25 updates and trusts its average after 10 (K = 25, U = 10; defaults
 * 1000 and 400); the labels and findings say so. The quick form trains 256 examples, untuned.
 */
import { adam, fixedBatch, momentum } from '@abs/core';
import { labpal, pal } from '@abs/parabola-ls';
import type { SuiteContext } from '../context';
import { observeLabpal, observePal } from '../observe';
import { cifarOrFashion } from './cifar-or-fashion';
import { resnet20 } from './conv-nets';
import { lineSearchNote } from './labpal';
import { runVariants, type Variant } from './run-variants';
import { selects } from './selection';
import { tuneLearningRate } from './tune-learning-rate';

const BATCH = 128;
const WIDTHS = [4, 8, 16] as const;

export async function labpalResnetSuite(ctx: SuiteContext): Promise<void> {
  const data = await cifarOrFashion(ctx, 'labpal-resnet', ctx.quick ? 20 : 800);
  const [h, w, c] = data.train.featureShape;
  const spec = resnet20([h ?? 0, w ?? 0, c ?? 0], WIDTHS);
  const budget = ctx.budget ?? { examples: ctx.quick ? 2 * BATCH : 3 * data.train.size };
  const scaled = { reuseSteps: 25, untrustedUpdates: 10 } as const;
  ctx.results.findings.push({
    suite: 'labpal-resnet',
    text: `scaled down: ResNet-20's structure at widths ${WIDTHS.join('/')} (the paper's: 16/32/64), ${'examples' in budget ? `${budget.examples} examples` : `${budget.steps} steps`} a run at batch ${BATCH}; LABPAL with K=${scaled.reuseSteps}, U=${scaled.untrustedUpdates} (defaults 1000, 400).`,
  });
  for (let seed = 1; seed <= ctx.seeds; seed++) {
    const tuned = !ctx.quick && !ctx.budget && selects(ctx.algorithms, 'sgd-momentum');
    const learningRate = !tuned
      ? 0.1
      : await tuneLearningRate(ctx, {
          suite: 'labpal-resnet',
          optimizer: 'SGD-momentum 0.9',
          make: (lr) => momentum({ learningRate: lr, momentum: 0.9 }),
          batchSize: BATCH,
          data,
          spec,
          seed,
          examples: Math.round(('examples' in budget ? budget.examples : budget.steps * BATCH) / 4),
        });
    const variants: Variant[] = [
      ...(['NSGD', 'SGD'] as const).map((mode) => ({
        name: `labpal-${mode.toLowerCase()}`,
        label: `labpal-${mode.toLowerCase()} (K=${scaled.reuseSteps}, U=${scaled.untrustedUpdates})`,
        make: () => labpal({ mode, batchSize: BATCH, ...scaled }),
        observe: observeLabpal(mode),
      })),
      { name: 'pal', label: 'pal', make: () => pal({ batchSize: BATCH }), observe: observePal },
      {
        name: 'sgd-momentum',
        label: `sgd-momentum 0.9 lr=${learningRate}${tuned ? ' (tuned)' : ''}`,
        make: () => fixedBatch({ optimizer: momentum({ learningRate, momentum: 0.9 }), batchSize: BATCH }),
      },
      {
        name: 'adam',
        label: 'adam lr=1e-3',
        make: () => fixedBatch({ optimizer: adam({ learningRate: 1e-3 }), batchSize: BATCH }),
      },
    ];
    await runVariants(
      ctx,
      {
        suite: 'labpal-resnet',
        dataset: data,
        spec,
        seed,
        budget,
        evaluations: ctx.quick ? 1 : 6,
        note: (run) => lineSearchNote(run, `each window takes 10 calls and is reused for ${scaled.reuseSteps} updates`),
      },
      variants,
    );
  }
}
