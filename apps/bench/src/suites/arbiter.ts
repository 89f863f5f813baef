/**
 * `arbiter`: the project-scale version of the authors' experiments (issue 8) on MNIST and Fashion-MNIST —
 * mlp([784, 512, 256, 10]) relu, 10 epochs; Arbiter stand-alone and with a fixed multistep
 * schedule, against fixed batch sizes 32/128/512 and CABS, with the same budget of examples.
 * The notebook's conv agent on the digits as 28×28×1 images, after a noise and a validation
 * warm-up (`arbiter-conv-noise`, `arbiter-conv-validation`), runs only when `--algorithm` names it.
 * Arbiter carves its validation part (the last 20% by index) out of the training split; the
 * other runs train on the same first 80%, so every run sees the same training examples.
 * `--dataset` picks one dataset; Arbiter's scheduling decisions (the next batch size, the
 * candidates and their mixture weights) go into each run's events.
 */
import { arbiter } from '@abs/arbiter';
import { cabs } from '@abs/cabs';
import { fixedBatch, mlp, momentum } from '@abs/core';
import { splitByIndex } from '@abs/data';
import type { NamedData, SuiteContext } from '../context';
import { observeArbiter } from '../observe';
import type { RunRecord } from '../results';
import { runVariants, type Variant } from './run-variants';
import { suiteDatasets } from './selection';

const inner = () => momentum({ learningRate: 0.1, momentum: 0.9, weightDecay: 5e-4 });

export async function arbiterSuite(ctx: SuiteContext): Promise<void> {
  const names = suiteDatasets(ctx);
  const epochs = ctx.quick ? 2 : 10;
  const spec = mlp([784, 512, 256, 10]);
  for (const name of names) {
    const data = await ctx.data(name);
    const trainPart = splitByIndex(data.train, 0.8).first;
    const trainOnly: NamedData = { name: `${data.name} (first 80%)`, train: trainPart, test: data.test };
    const arbiterData: NamedData = { name: `${data.name} (first 80%)`, train: data.train, test: data.test };
    // The notebook's conv agent reads images: the same examples as 28×28×1 (the inner mlp
    // flattens them, so it trains exactly as on the flat data).
    const asImages = (d: typeof data.train) => ({ ...d, featureShape: [28, 28, 1] });
    const imageData: NamedData = { ...arbiterData, train: asImages(data.train), test: asImages(data.test) };
    const budget = ctx.budget ?? { examples: epochs * trainPart.size };
    const runs: Variant[] = [
      {
        name: 'arbiter',
        label: 'arbiter',
        observe: observeArbiter,
        make: () => arbiter({ innerOptimizer: inner() }),
      },
      {
        name: 'arbiter-multistep',
        label: 'arbiter + multistep',
        observe: observeArbiter,
        make: () =>
          arbiter({
            innerOptimizer: inner(),
            fixedSchedule: {
              milestones: [Math.max(1, Math.round(epochs * 0.3)), Math.max(2, Math.round(epochs * 0.6))],
              sizes: [256, 512],
            },
          }),
      },
      ...(['noise', 'validation'] as const).map((warmupInput) => ({
        name: `arbiter-conv-${warmupInput}`,
        label: `arbiter notebook conv agent, ${warmupInput} warm-up`,
        // ~4 s a step on 2 CPU cores (the agent convolves every observed image): only when named.
        onlyWhenNamed: true,
        data: imageData,
        observe: observeArbiter,
        make: () => arbiter({ preset: 'notebook', agent: 'conv', warmupInput, innerOptimizer: inner() }),
      })),
      ...[32, 128, 512].map((batchSize) => ({
        name: 'sgd-momentum',
        label: `sgd-momentum bs=${batchSize}`,
        data: trainOnly,
        make: () => fixedBatch({ optimizer: inner(), batchSize }),
      })),
      { name: 'cabs', label: 'cabs lr=0.1', data: trainOnly, make: () => cabs({ learningRate: 0.1 }) },
    ];
    for (let seed = 1; seed <= ctx.seeds; seed++) {
      await runVariants(
        ctx,
        {
          suite: 'arbiter',
          dataset: arbiterData,
          spec,
          seed,
          budget,
          evaluations: epochs,
          note: (run) => (run.events ? decisionNote(run) : undefined),
        },
        runs,
      );
    }
  }
}

/**
 * The run's batch-size decisions in one line (epoch → size), or that the run ended before its
 * first epoch did and so shows no scheduling at all.
 */
export function decisionNote(run: RunRecord): string | undefined {
  if (run.error) return undefined;
  const decisions = (run.events ?? []).flatMap((e) => (e.kind === 'batch-size-decision' ? [e] : []));
  const head = `${run.dataset} seed ${run.seed}: ${run.label}`;
  if (decisions.length === 0) {
    return `${head} ended after ${run.final.steps} steps, before its first epoch did: too short to show a batch-size decision.`;
  }
  const sizes = decisions.map((d) => `epoch ${d.epoch + 1} → ${d.nextBatchSize}`).join(', ');
  return `${head} decided ${sizes}.`;
}
