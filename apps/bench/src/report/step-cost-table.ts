/**
 * The speed suite's step table for the report: per backend, one row per algorithm and one
 * column per batch size, each cell "ms per step (ratio to the base optimiser's plain step)",
 * beside the ratio issue 19 sets as the target. Rows come from `results.speed` (the records
 * with an `algorithm`), so results written before the table existed render without it.
 */
import type { SpeedRecord } from '../results';
import { isStepCostRecord, type StepCostRecord } from '../suites/speed-table';

/** The targets on the base optimiser's plain step (CABS: on the fused plain SGD step). */
export const STEP_COST_TARGETS: Readonly<Record<string, number>> = {
  cabs: 1.2,
  'dba-adam': 1.3,
  'dba-momentum': 1.3,
  labpal: 1.3,
  pal: 1.3,
  arbiter: 1.5,
};

export interface StepCostTable {
  readonly backend: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

const cell = (r: StepCostRecord | undefined) =>
  r === undefined
    ? '–'
    : `${r.msPerStep.toFixed(r.msPerStep < 10 ? 2 : 1)} ms${r.ratio === null ? '' : ` (${r.ratio.toFixed(2)}×)`}`;

export function stepCostTables(speed: readonly SpeedRecord[]): StepCostTable[] {
  const records = speed.filter(isStepCostRecord);
  const backends = [...new Set(records.map((r) => r.backend))];
  return backends.map((backend) => {
    const mine = records.filter((r) => r.backend === backend);
    const batches = [...new Set(mine.map((r) => r.batchSize))].sort((a, b) => a - b);
    const algorithms = [...new Set(mine.map((r) => r.algorithm))];
    const rows = algorithms.map((algorithm) => {
      const of = mine.filter((r) => r.algorithm === algorithm);
      const base = of[0]?.base ?? '';
      const target = STEP_COST_TARGETS[algorithm];
      return [
        algorithm,
        algorithm === base ? 'plain' : base,
        ...batches.map((b) => cell(of.find((r) => r.batchSize === b))),
        target === undefined ? '' : `≤ ${target}×`,
      ];
    });
    return { backend, headers: ['algorithm', 'base', ...batches.map((b) => `batch ${b}`), 'target'], rows };
  });
}
