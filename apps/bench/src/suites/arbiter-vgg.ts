/**
 * `arbiter-vgg`: Arbiter's notebook experiment (VGG-11-BN, 10 epochs) at CPU scale — a small VGG
 * with batch norm (3×3 convs of 16, 32 and 64 filters, each followed by batch norm, relu and a
 * 2×2 max-pool; dense head 128), Arbiter (the paper preset's MLP agent) with the suite's inner
 * optimiser (SGD-momentum lr 0.1, 0.9, weight decay 5e-4) against the same optimiser at fixed
 * batch 32, 128 and 512, and CABS (lr 0.1) on the same VGG without batch norm, which CABS
 * refuses (it needs per-example second moments). CIFAR-10 with `--data-dir`, else
 * Fashion-MNIST; 8000 training images, of which Arbiter keeps the last 20% for its agent and
 * every other run trains on the first 80%.
 *
 * Scaled down: 4 epochs of the 6400 training images (25,600 examples a run); the findings say
 * so. The quick form trains 2 epochs of 160 images, without the batch-512 run.
 */
import { arbiter } from '@abs/arbiter';
import { cabs } from '@abs/cabs';
import { fixedBatch, momentum } from '@abs/core';
import { splitByIndex } from '@abs/data';
import type { NamedData, SuiteContext } from '../context';
import { observeArbiter } from '../observe';
import { decisionNote } from './arbiter';
import { cifarOrFashion } from './cifar-or-fashion';
import { vgg } from './conv-nets';
import { fittingBatchSizes } from './fitting-batch-sizes';
import { runVariants, type Variant } from './run-variants';

const inner = () => momentum({ learningRate: 0.1, momentum: 0.9, weightDecay: 5e-4 });
const STAGES = [[16], [32], [64]] as const;

export async function arbiterVggSuite(ctx: SuiteContext): Promise<void> {
  const data = await cifarOrFashion(ctx, 'arbiter-vgg', ctx.quick ? 20 : 800);
  const [h, w, c] = data.train.featureShape;
  const shape = [h ?? 0, w ?? 0, c ?? 0] as const;
  const withBn = vgg(shape, { stages: STAGES, head: 128, batchNorm: true });
  const withoutBn = vgg(shape, { stages: STAGES, head: 128, batchNorm: false });
  const epochs = ctx.quick ? 2 : 4;
  const trainPart = splitByIndex(data.train, 0.8).first;
  const trainOnly: NamedData = { name: `${data.name} (first 80%)`, train: trainPart, test: data.test };
  const arbiterData: NamedData = { name: `${data.name} (first 80%)`, train: data.train, test: data.test };
  const budget = ctx.budget ?? { examples: epochs * trainPart.size };
  ctx.results.findings.push({
    suite: 'arbiter-vgg',
    text: `scaled down: a VGG of stages ${STAGES.map((s) => s.join('-')).join(', ')} with a 128 head (the notebook: VGG-11-BN), ${'examples' in budget ? `${budget.examples} examples (${epochs} epochs of ${trainPart.size})` : `${budget.steps} steps`} a run (the notebook: 10 epochs of 40,000). CABS runs on the VGG without batch norm.`,
  });
  const runs: Variant[] = [
    { name: 'arbiter', label: 'arbiter', observe: observeArbiter, make: () => arbiter({ innerOptimizer: inner() }) },
    ...fittingBatchSizes(ctx, 'arbiter-vgg', trainOnly, [32, 128, 512]).map((batchSize) => ({
      name: 'sgd-momentum',
      label: `sgd-momentum bs=${batchSize}`,
      data: trainOnly,
      make: () => fixedBatch({ optimizer: inner(), batchSize }),
    })),
    {
      name: 'cabs',
      label: 'cabs lr=0.1 (no batch norm)',
      data: trainOnly,
      spec: withoutBn,
      make: () => cabs({ learningRate: 0.1 }),
    },
  ];
  for (let seed = 1; seed <= ctx.seeds; seed++) {
    await runVariants(
      ctx,
      {
        suite: 'arbiter-vgg',
        dataset: arbiterData,
        spec: withBn,
        seed,
        budget,
        evaluations: epochs,
        note: (run) => (run.events ? decisionNote(run) : undefined),
      },
      runs,
    );
  }
}
