/**
 * The loop every comparison suite runs: each variant `--algorithm` selects, trained on the same
 * setup (its own data or model where it has them), recorded as it finishes, with the suite's
 * note on the run (if any) added to the findings.
 */
import type { Algorithm, ModelSpec } from '@abs/core';
import type { NamedData, SuiteContext } from '../context';
import type { Observer } from '../observe';
import type { RunRecord } from '../results';
import { type ExperimentSpec, runExperiment } from '../run-experiment';
import { selects } from './selection';

export interface Variant {
  /** The `--algorithm` name that selects it. */
  readonly name: string;
  readonly label: string;
  readonly make: () => Algorithm;
  readonly observe?: Observer;
  /** Overrides the setup's data or model for this variant. */
  readonly data?: NamedData;
  readonly spec?: ModelSpec;
  /** Runs only when `--algorithm` names it (too slow for a default run). */
  readonly onlyWhenNamed?: boolean;
}

export type VariantSetup = Omit<ExperimentSpec, 'label' | 'algorithm' | 'observe'> & {
  /** A finding about a finished run, e.g. what its line search or scheduler did. */
  readonly note?: (run: RunRecord) => string | undefined;
};

export async function runVariants(
  ctx: SuiteContext,
  setup: VariantSetup,
  variants: readonly Variant[],
): Promise<RunRecord[]> {
  const { note, ...common } = setup;
  const runs: RunRecord[] = [];
  for (const v of variants) {
    if (!selects(ctx.algorithms, v.name)) continue;
    if (v.onlyWhenNamed && !ctx.algorithms?.includes(v.name)) continue;
    const run = await runExperiment(ctx.primary, {
      ...common,
      label: v.label,
      algorithm: v.make,
      ...(v.data ? { dataset: v.data } : {}),
      ...(v.spec ? { spec: v.spec } : {}),
      ...(v.observe ? { observe: v.observe } : {}),
    });
    await ctx.record(run);
    runs.push(run);
    const text = note?.(run);
    if (text) ctx.results.findings.push({ suite: setup.suite, text });
  }
  return runs;
}
