/**
 * The baselines' learning-rate tuning of the line-search suites: fixed-batch runs on a short
 * budget over {0.01, 0.03, 0.1, 0.3}, extended by 1 and then 3 while the best is the largest
 * tried, chosen by final training loss (never by test accuracy). The grid and every result go
 * into the findings.
 */
import { fixedBatch, type ModelSpec, type Optimizer } from '@abs/core';
import type { NamedData, SuiteContext } from '../context';
import { runExperiment } from '../run-experiment';

export interface TuningSetup {
  /** The suite whose findings get the result; runs are labelled `<suite>-tuning` and not recorded. */
  readonly suite: string;
  /** What the finding calls the optimiser, e.g. `SGD`. */
  readonly optimizer: string;
  readonly make: (learningRate: number) => Optimizer;
  readonly batchSize: number;
  readonly data: NamedData;
  readonly spec: ModelSpec;
  readonly seed: number;
  readonly examples: number;
}

export async function tuneLearningRate(ctx: SuiteContext, setup: TuningSetup): Promise<number> {
  const results: [number, number][] = [];
  const ladder = [0.01, 0.03, 0.1, 0.3, 1, 3];
  const grid = ladder.slice(0, 4);
  for (let k = 0; k < grid.length; k++) {
    const learningRate = grid[k] as number;
    const run = await runExperiment(
      ctx.primary,
      {
        suite: `${setup.suite}-tuning`,
        label: `${setup.optimizer} lr=${learningRate}`,
        algorithm: () => fixedBatch({ optimizer: setup.make(learningRate), batchSize: setup.batchSize }),
        dataset: setup.data,
        spec: setup.spec,
        seed: setup.seed,
        budget: { examples: setup.examples },
        evaluations: 1,
      },
      { quiet: true },
    );
    results.push([learningRate, run.error ? Number.POSITIVE_INFINITY : run.final.trainLoss]);
    // A best value at the top of the grid is not a tuned value: extend it (at most to 3).
    const top = results.reduce((a, b) => (b[1] < a[1] ? b : a));
    const next = ladder[k + 1];
    if (k === grid.length - 1 && top[0] === learningRate && next !== undefined) grid.push(next);
  }
  const best = results.reduce((a, b) => (b[1] < a[1] ? b : a));
  ctx.results.findings.push({
    suite: setup.suite,
    text: `${setup.data.name} seed ${setup.seed}: ${setup.optimizer} learning rate tuned on ${setup.examples} examples by final training loss: ${results.map(([lr, loss]) => `${lr} → ${loss.toFixed(4)}`).join(', ')}; chose ${best[0]}.`,
  });
  return best[0];
}
