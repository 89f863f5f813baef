/**
 * `cabs-conv`: the CABS paper's MNIST experiment on the authors' own net (`cabsMnistNet()`: two
 * 5×5 convs, 3.27 M parameters) — CABS with lr 0.1 and batch sizes 16 → 2048 in both fidelities
 * (`exact` per-example second moments, and `reference`, the authors' TensorFlow formula that drops
 * the conv layers' cross-position terms) against fixed-batch SGD at lr 0.1 with batch 16, 128 and
 * 1024, every run on the same budget of examples, on the `mnist` package's 8000/2000 split and
 * on 8000/2000 Fashion-MNIST images (`--dataset` picks one). Training loss is the exact loss over
 * the training split at each evaluation.
 *
 * Scaled down: the paper runs CABS for 8000 steps (at least 128,000 examples); on two CPU cores
 * this net trains at ≈ 4–7 ms an example, so every run here gets 32,000 examples (4 epochs) and
 * 8 evaluations. The findings say so, and say when a CABS run never left batch 16. The quick form
 * (the tour's) trains 256 examples on 300 images, without the batch-1024 baseline.
 */
import { cabs } from '@abs/cabs';
import { cabsMnistNet, fixedBatch, sgd } from '@abs/core';
import type { SuiteContext } from '../context';
import type { RunRecord } from '../results';
import { runExperiment } from '../run-experiment';
import { compareToBaseline, constantBatchNote } from './cabs';
import { fittingBatchSizes } from './fitting-batch-sizes';
import { type DatasetName, selects, suiteDatasets } from './selection';

const LEARNING_RATE = 0.1;
const FULL_EXAMPLES = 32_000;

export async function cabsConvSuite(ctx: SuiteContext): Promise<void> {
  const spec = cabsMnistNet();
  // The mnist package's own 8000/2000 split; Fashion-MNIST at the same size, classes balanced.
  const perClass = (name: DatasetName) => (ctx.quick ? 30 : name === 'mnist' ? 'all' : 800);
  const examples = ctx.quick ? 256 : FULL_EXAMPLES;
  const evaluations = ctx.quick ? 2 : 8;
  const budget = ctx.budget ?? { examples };
  ctx.results.findings.push({
    suite: 'cabs-conv',
    text: `scaled down: every run gets ${'examples' in budget ? `${budget.examples} examples` : `${budget.steps} steps (the SGD runs: the examples CABS used)`} on ${ctx.quick ? 300 : 8000} training images (the paper: 8000 CABS steps, at least 128,000 examples), ${evaluations} evaluations of the exact training loss; lr ${LEARNING_RATE}, CABS batch 16 → 2048.`,
  });
  for (const name of suiteDatasets(ctx)) {
    const data = await ctx.images(name, perClass(name));
    for (let seed = 1; seed <= ctx.seeds; seed++) {
      const adaptive: RunRecord[] = [];
      for (const fidelity of ['exact', 'reference'] as const) {
        if (!selects(ctx.algorithms, `cabs-${fidelity}`)) continue;
        const run = await runExperiment(ctx.primary, {
          suite: 'cabs-conv',
          label: `cabs ${fidelity} lr=${LEARNING_RATE} bs 16→2048`,
          algorithm: () => cabs({ learningRate: LEARNING_RATE, bsMin: 16, bsMax: 2048, fidelity }),
          dataset: data,
          spec,
          seed,
          budget,
          evaluations,
          fullTrainLoss: true,
        });
        await ctx.record(run);
        adaptive.push(run);
        const note =
          constantBatchNote(run, `the paper runs 8000 steps`) ?? (run.error ? undefined : batchSizeTrajectory(run));
        if (note) ctx.results.findings.push({ suite: 'cabs-conv', text: `${data.name} ${note}` });
      }
      if (!selects(ctx.algorithms, 'sgd')) continue;
      // The baselines get the examples CABS drew (equal to the budget unless --steps is given).
      const baselineBudget =
        'examples' in budget || adaptive.length === 0
          ? budget
          : { examples: Math.max(1, ...adaptive.map((r) => r.final.examplesSeen)) };
      const batchSizes = fittingBatchSizes(ctx, 'cabs-conv', data, [16, 128, 1024]);
      for (const batchSize of batchSizes) {
        const baseline = await runExperiment(ctx.primary, {
          suite: 'cabs-conv',
          label: `sgd lr=${LEARNING_RATE} bs=${batchSize}`,
          algorithm: () => fixedBatch({ optimizer: sgd({ learningRate: LEARNING_RATE }), batchSize }),
          dataset: data,
          spec,
          seed,
          budget: baselineBudget,
          evaluations,
          fullTrainLoss: true,
        });
        await ctx.record(baseline);
        for (const run of adaptive) {
          ctx.results.findings.push({
            suite: 'cabs-conv',
            text: `${data.name} ${compareToBaseline(run, baseline, run.label)}`,
          });
        }
      }
    }
  }
}

/**
 * An adaptive run's batch size at 0, ¼, ½, ¾ and all of its examples, with the largest it
 * reached and its ms per step.
 */
export function batchSizeTrajectory(run: RunRecord): string {
  const total = run.final.examplesSeen;
  const at = (fraction: number) =>
    run.trace.find((t) => t.examplesSeen >= fraction * total)?.batchSize ?? run.trace.at(-1)?.batchSize;
  const points = [0, 0.25, 0.5, 0.75, 1].map((f) => `${Math.round(f * total)} → ${at(f)}`).join(', ');
  const largest = Math.max(...run.trace.map((t) => t.batchSize));
  return `seed ${run.seed}: ${run.label} batch size by examples seen: ${points} (largest ${largest}); ${run.final.steps} steps, ${run.final.msPerStep.toFixed(0)} ms a step.`;
}
