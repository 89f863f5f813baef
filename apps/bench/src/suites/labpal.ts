/**
 * `labpal`: issue 7's experiment — MNIST and Fashion-MNIST (`--dataset` picks one) with mlp([784, 512, 10]) relu,
 * batch 128: LABPAL (NSGD and SGD modes, each with the exact and the reference parabola fit)
 * and PAL against SGD with a tuned constant learning rate and against Adam, with the same
 * budget of examples. The SGD learning rate is tuned on a quarter of the budget over
 * {0.01, 0.03, 0.1, 0.3}, extended by 1 and then 3 while the best is the largest tried, by final training loss (never by test accuracy).
 *
 * LABPAL's defaults (re-measure every 1000 updates, average after 400) assume ~10⁵ calls; a
 * run here is ~10³, so K = 100 and U = 50 keep several measurements inside the budget. The
 * labels say so. Each run's trace carries its step size per call (LABPAL: s̄, or λ̄ in SGD mode;
 * PAL: s and its raw fitted step), and every LABPAL window's outcome goes into its events.
 */
import { adam, fixedBatch, mlp, sgd } from '@abs/core';
import { labpal, pal } from '@abs/parabola-ls';
import type { SuiteContext } from '../context';
import { observeLabpal, observePal } from '../observe';
import type { RunRecord } from '../results';
import { runVariants, type Variant } from './run-variants';
import { selects, suiteDatasets } from './selection';
import { tuneLearningRate } from './tune-learning-rate';

const BATCH = 128;

export async function labpalSuite(ctx: SuiteContext): Promise<void> {
  const names = suiteDatasets(ctx);
  const epochs = ctx.quick ? 2 : 20;
  const spec = mlp([784, 512, 10]);
  const scaled = { reuseSteps: 100, untrustedUpdates: 50 } as const;
  for (const name of names) {
    const data = await ctx.data(name);
    const budget = ctx.budget ?? { examples: epochs * data.train.size };
    for (let seed = 1; seed <= ctx.seeds; seed++) {
      // Tuning costs four or more runs: only in the full suite, and only when the SGD run is selected.
      const tuned = !ctx.quick && !ctx.budget && selects(ctx.algorithms, 'sgd');
      const learningRate = !tuned
        ? 0.1
        : await tuneLearningRate(ctx, {
            suite: 'labpal',
            optimizer: 'SGD',
            make: (lr) => sgd({ learningRate: lr }),
            batchSize: BATCH,
            data,
            spec,
            seed,
            examples: Math.round(('examples' in budget ? budget.examples : budget.steps * BATCH) / 4),
          });
      const variants: Variant[] = [
        ...(['NSGD', 'SGD'] as const).flatMap((mode) =>
          (['exact', 'reference'] as const).map((fidelity) => ({
            name: `labpal-${mode.toLowerCase()}-${fidelity}`,
            label: `labpal-${mode.toLowerCase()} ${fidelity} (K=100, U=50)`,
            make: () => labpal({ mode, fidelity, batchSize: BATCH, ...scaled }),
            observe: observeLabpal(mode),
          })),
        ),
        { name: 'pal', label: 'pal', make: () => pal({ batchSize: BATCH }), observe: observePal },
        {
          name: 'sgd',
          label: `sgd lr=${learningRate}${tuned ? ' (tuned)' : ''}`,
          make: () => fixedBatch({ optimizer: sgd({ learningRate }), batchSize: BATCH }),
        },
        {
          name: 'adam',
          label: 'adam lr=1e-3',
          make: () => fixedBatch({ optimizer: adam({ learningRate: 1e-3 }), batchSize: BATCH }),
        },
      ];
      await runVariants(
        ctx,
        { suite: 'labpal', dataset: data, spec, seed, budget, evaluations: 10, note: (run) => lineSearchNote(run) },
        variants,
      );
    }
  }
}

/**
 * What a LABPAL run's windows say: how many were accepted and clipped, and the cap at the end
 * (it grows in `reference` mode); or that the run was too short to measure a step more than once.
 */
export function lineSearchNote(
  run: RunRecord,
  windowNote = 'each window takes 10 calls and is reused for 100 updates',
): string | undefined {
  const windows = (run.events ?? []).filter((e) => e.kind === 'line-search');
  if (!run.label.startsWith('labpal') || run.error) return undefined;
  const head = `${run.dataset} seed ${run.seed}: ${run.label}`;
  if (windows.length < 2) {
    return `${head} ended ${windows.length} measurement window${windows.length === 1 ? '' : 's'} in ${run.final.steps} calls: too short to show the step size adapting (${windowNote}).`;
  }
  const accepted = windows.filter((w) => w.accepted).length;
  const clipped = windows.filter((w) => w.clipped).length;
  const cap = (i: number) => Number(windows.at(i)?.maxStepSize.toPrecision(4));
  return `${head}: ${windows.length} measurement windows, ${accepted} accepted, ${clipped} clipped; the cap s_max was ${cap(0)} in the first window and ${cap(-1)} in the last.`;
}
