/**
 * The `speed` suite's step table: each algorithm's step on `mlp([784, 512, 10])` over the MNIST
 * digits, per backend and batch size, as ms per step and as a ratio to the plain step of its
 * base optimiser at the same batch size (`fixedBatch` with sgd, momentum or adam). Every
 * algorithm runs on its own model; the repeats are interleaved (repeat r times every algorithm
 * before repeat r + 1 starts) and the table keeps each algorithm's median, so a machine that
 * slows down mid-run slows every row alike.
 *
 * What a step is: one `step()` for fixedBatch, CABS (batch forced: bsMin = bsMax), DBA (N = the
 * batch) and PAL; for LABPAL one training call plus its measuring windows amortised over the
 * training calls of its default reuse period (K = 1000); for Arbiter one inner step with the
 * agent's meta-step (its warm-up off, decisions off: the batch stays at B).
 */
import { arbiter } from '@abs/arbiter';
import { cabs } from '@abs/cabs';
import {
  type Algorithm,
  type AlgorithmState,
  adam,
  type Dataset,
  disposeState,
  fixedBatch,
  type Model,
  mlp,
  momentum,
  type StepReport,
  sgd,
} from '@abs/core';
import { dba } from '@abs/dba';
import { labpal, pal } from '@abs/parabola-ls';
import type { SpeedRecord } from '../results';

export type BaseOptimizer = 'sgd' | 'momentum' | 'adam';

/** A row of the step table: `SpeedRecord` with the algorithm, its base and the ratio to the base's plain step. */
export interface StepCostRecord extends SpeedRecord {
  readonly algorithm: string;
  readonly base: BaseOptimizer;
  /** msPerStep over the plain `fixedBatch(base)` step's on the same backend and batch; 1 for the plain rows. */
  readonly ratio: number | null;
}

export const isStepCostRecord = (record: SpeedRecord): record is StepCostRecord =>
  typeof (record as Partial<StepCostRecord>).algorithm === 'string';

/** LABPAL's default reuse period K: one measuring window per K training calls. */
const LABPAL_REUSE_STEPS = 1000;

const OPTIMIZERS = {
  sgd: () => sgd({ learningRate: 0.05 }),
  momentum: () => momentum({ learningRate: 0.01, momentum: 0.9 }),
  adam: () => adam({ learningRate: 1e-3 }),
} as const;

interface StepCase {
  readonly name: string;
  readonly base: BaseOptimizer;
  /** The algorithm at batch `batch`; `trainingCalls` is the number of steps one repeat times. */
  readonly algorithm: (batch: number, trainingCalls: number) => Algorithm;
  /** ms per step from the timed steps of one repeat (default: their mean). */
  readonly reduce?: (timed: Timed) => number;
  /** Whether a repeat is complete (default: after `steps` steps). */
  readonly done?: (timed: Timed, steps: number) => boolean;
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

type Timed = readonly { readonly ms: number; readonly report: StepReport }[];
const phase = (r: StepReport | undefined) => (r as (StepReport & { phase?: string }) | undefined)?.phase;

/** LABPAL: training calls at their mean, plus each measuring window spread over K training calls. */
export function labpalPerTrainingCall(timed: Timed): number {
  const training = timed.filter((t) => phase(t.report) === 'train').map((t) => t.ms);
  const measuring = timed.filter((t) => phase(t.report) === 'measure').map((t) => t.ms);
  const windows = timed.filter((t, i) => phase(t.report) === 'measure' && phase(timed[i - 1]?.report) !== 'measure');
  const perWindow = windows.length > 0 ? measuring.reduce((a, b) => a + b, 0) / windows.length : 0;
  return mean(training) + perWindow / LABPAL_REUSE_STEPS;
}

/**
 * A LABPAL repeat ends on the first training call after a window, so with a window every
 * `count` training calls each repeat (after the warm-up) holds `count` training calls and one whole window.
 */
const afterWindow = (timed: Timed) =>
  phase(timed.at(-1)?.report) === 'train' && phase(timed.at(-2)?.report) === 'measure';

export const STEP_CASES: readonly StepCase[] = [
  { name: 'sgd', base: 'sgd', algorithm: (b) => fixedBatch({ optimizer: OPTIMIZERS.sgd(), batchSize: b }) },
  {
    name: 'momentum',
    base: 'momentum',
    algorithm: (b) => fixedBatch({ optimizer: OPTIMIZERS.momentum(), batchSize: b }),
  },
  { name: 'adam', base: 'adam', algorithm: (b) => fixedBatch({ optimizer: OPTIMIZERS.adam(), batchSize: b }) },
  { name: 'cabs', base: 'sgd', algorithm: (b) => cabs({ learningRate: 0.05, bsMin: b, bsMax: b }) },
  { name: 'dba-adam', base: 'adam', algorithm: (b) => dba({ batchSize: b, optimizer: OPTIMIZERS.adam() }) },
  { name: 'dba-momentum', base: 'momentum', algorithm: (b) => dba({ batchSize: b, optimizer: OPTIMIZERS.momentum() }) },
  {
    name: 'labpal',
    base: 'sgd',
    // The window recurs every `calls` training calls so each repeat holds one; K above amortises it.
    algorithm: (b, calls) => labpal({ batchSize: b, reuseSteps: calls }),
    reduce: labpalPerTrainingCall,
    done: afterWindow,
  },
  { name: 'pal', base: 'sgd', algorithm: (b) => pal({ batchSize: b }) },
  {
    name: 'arbiter',
    base: 'momentum',
    algorithm: (b) =>
      arbiter({
        innerOptimizer: OPTIMIZERS.momentum(),
        initialBatchSize: b,
        sMin: 1,
        sMax: Math.max(2, 2 * b),
        warmup: false,
        schedInterval: 1_000_000,
      }),
  },
];

/** One algorithm on its own model, stepped on demand. */
interface Session {
  readonly stepCase: StepCase;
  readonly model: Model<unknown>;
  readonly algorithm: Algorithm;
  state: AlgorithmState;
  readonly samples: number[];
}

export interface StepTableOptions {
  readonly backend: string;
  readonly compile: (spec: ReturnType<typeof mlp>, data: Dataset) => Promise<Model<unknown>>;
  readonly data: Dataset;
  readonly batchSizes: readonly number[];
  readonly repeats: number;
  /** Steps per repeat (LABPAL: training calls per repeat, plus its window). */
  readonly steps: number;
  readonly log: (line: string) => void;
}

/** Times every case at every batch size; returns the table's rows (ratios filled in). */
export async function stepTable(options: StepTableOptions): Promise<StepCostRecord[]> {
  const spec = mlp([784, 512, 10]);
  const rows: StepCostRecord[] = [];
  for (const batch of options.batchSizes) {
    const sessions: Session[] = [];
    try {
      for (const stepCase of STEP_CASES) {
        const model = await options.compile(spec, options.data);
        const algorithm = stepCase.algorithm(batch, options.steps);
        const state = await algorithm.init(model, { seed: 1 });
        sessions.push({ stepCase, model, algorithm, state, samples: [] });
      }
      // Warm-up: one repeat untimed (sessions, graph builds, JIT).
      for (const session of sessions) await run(session, options.steps);
      for (let r = 0; r < options.repeats; r++) {
        for (const session of sessions) session.samples.push(await run(session, options.steps));
      }
    } finally {
      for (const session of sessions) {
        disposeState(session.model.ops, session.state);
        (session.algorithm as { release?: (m: Model<unknown>) => void }).release?.(session.model);
        session.model.dispose();
      }
    }
    const median = (s: Session) => {
      const sorted = [...s.samples].sort((a, b) => a - b);
      const mid = sorted.length >> 1;
      return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
    };
    const plain = new Map(
      sessions.filter((s) => s.stepCase.name === s.stepCase.base).map((s) => [s.stepCase.base, median(s)]),
    );
    for (const session of sessions) {
      const ms = median(session);
      const baseMs = plain.get(session.stepCase.base);
      rows.push({
        backend: options.backend,
        model: 'mlp 784-512-10',
        batchSize: batch,
        measure: `step: ${session.stepCase.name}`,
        msPerStep: ms,
        gflops: null,
        repetitions: options.repeats,
        memoryBytes: null,
        algorithm: session.stepCase.name,
        base: session.stepCase.base,
        ratio: baseMs ? ms / baseMs : null,
      });
    }
    options.log(`speed table: ${options.backend} batch ${batch} done`);
  }
  return rows;
}

/** Steps `session` for one repeat (`count` steps, or until the case's `done`), returning ms per step. */
async function run(session: Session, count: number): Promise<number> {
  const timed: { ms: number; report: StepReport }[] = [];
  const done = session.stepCase.done ?? ((t: Timed) => t.length >= count);
  // The cap only guards against a case whose `done` never comes (a LABPAL window that does not recur).
  while (!done(timed, count) && timed.length < 4 * count + 100) {
    const t0 = performance.now();
    const { state, report } = await session.algorithm.step(session.model, session.state);
    timed.push({ ms: performance.now() - t0, report });
    session.state = state;
  }
  return (session.stepCase.reduce ?? ((t: Timed) => mean(t.map((x) => x.ms))))(timed);
}
