/**
 * Runs one (algorithm, backend, dataset, model, seed) combination through core's `train`
 * and turns it into a `RunRecord`: a trace of every step (thinned to at most `maxTrace`
 * points), the algorithm's decisions in full (when the suite observes them), test evaluations
 * against examples seen, and final figures. A run that fails
 * (e.g. a non-finite loss) is recorded with its error and the trace up to the failure.
 */
import {
  type Algorithm,
  type Dataset,
  evaluateModel,
  type Json,
  type ModelSpec,
  type StepReport,
  specSummary,
  TrainingError,
  train,
} from '@abs/core';
import type { LoadedBackend } from './backends';
import type { Observer } from './observe';
import { createProgressBar } from './progress';
import type { RunEvent, RunRecord, TestPoint, TracePoint } from './results';

export interface ExperimentSpec {
  readonly suite: string;
  readonly label: string;
  readonly algorithm: () => Algorithm;
  readonly dataset: { readonly name: string; readonly train: Dataset; readonly test: Dataset };
  readonly spec: ModelSpec;
  readonly seed: number;
  /** Training examples to draw (the fair budget across batch sizes), or steps. */
  readonly budget: { readonly examples: number } | { readonly steps: number };
  /** Test evaluations spread over the run. */
  readonly evaluations?: number;
  readonly maxTrace?: number;
  /** Evaluate the loss over the whole training set at every test point and at the end (exact, slower). */
  readonly fullTrainLoss?: boolean;
  /** Reads the algorithm's own report: a step size for the trace, decisions for `events`. */
  readonly observe?: Observer;
}

export const modelName = (spec: ModelSpec) => specSummary(spec);

export async function runExperiment(
  loaded: Extract<LoadedBackend, { backend: unknown }>,
  experiment: ExperimentSpec,
  options: { quiet?: boolean } = {},
): Promise<RunRecord> {
  await loaded.activate();
  const model = await loaded.backend.compile(experiment.spec, experiment.dataset.train, { seed: experiment.seed });
  const algorithm = experiment.algorithm();
  const budget = experiment.budget;
  const total = 'examples' in budget ? budget.examples : budget.steps;
  const evaluations = experiment.evaluations ?? 10;
  const bar = options.quiet
    ? undefined
    : createProgressBar({
        label: `${experiment.suite} ${experiment.label} [${loaded.name}] seed ${experiment.seed}`
          .slice(0, 60)
          .padEnd(60),
        total,
      });
  const trace: TracePoint[] = [];
  const events: RunEvent[] = [];
  let nextTest = total / evaluations;
  const tests: TestPoint[] = [];
  let error: string | undefined;
  let steps = 0;
  let examplesSeen = 0;
  let wallMs = 0;
  const record = (report: StepReport, ms: number) => {
    const seen = experiment.observe?.(report) ?? {};
    trace.push({
      step: report.step,
      examplesSeen: report.examplesSeen,
      loss: report.loss,
      batchSize: report.batchSize,
      learningRate: report.learningRate,
      wallMs: ms,
      ...(seen.stepSize === undefined ? {} : { stepSize: seen.stepSize }),
      ...(seen.rawStep === undefined ? {} : { rawStep: seen.rawStep }),
    });
    if (seen.event) events.push(seen.event);
  };
  const evaluate = async (step: number, seen: number) => {
    const r = await evaluateModel(model, experiment.dataset.test);
    const trainLoss = experiment.fullTrainLoss ? (await evaluateModel(model, experiment.dataset.train)).loss : null;
    tests.push({ step, examplesSeen: seen, loss: r.loss, accuracy: r.accuracy ?? null, trainLoss });
  };
  const started = performance.now();
  let evalMs = 0;
  try {
    const run = await train(model, algorithm, {
      ...('examples' in budget ? { examples: budget.examples } : { steps: budget.steps }),
      seed: experiment.seed,
      onEvent: async (event) => {
        if (event.type !== 'step') return;
        const r = event.report;
        steps = r.step;
        examplesSeen = r.examplesSeen;
        record(r, performance.now() - started - evalMs);
        const progress = 'examples' in budget ? r.examplesSeen : r.step;
        if (progress >= nextTest) {
          nextTest += total / evaluations;
          const t0 = performance.now();
          await evaluate(r.step, r.examplesSeen);
          evalMs += performance.now() - t0;
        }
        bar?.update(progress, `loss ${r.loss.toFixed(3)} bs ${r.batchSize}`);
      },
    });
    wallMs = run.wallMs - evalMs;
    if (tests.at(-1)?.step !== run.steps) await evaluate(run.steps, run.examplesSeen);
    run.dispose();
  } catch (caught) {
    error = TrainingError.isInstance(caught)
      ? caught.message
      : caught instanceof Error
        ? caught.message
        : String(caught);
    wallMs = performance.now() - started - evalMs;
  }
  let trainLoss: number;
  const lastTrainLoss = tests.at(-1)?.trainLoss;
  if (experiment.fullTrainLoss && !error && lastTrainLoss !== null && lastTrainLoss !== undefined) {
    trainLoss = lastTrainLoss;
  } else {
    const window = trace.slice(-Math.max(1, Math.ceil(trace.length / 20)));
    trainLoss = window.reduce((s, t) => s + t.loss, 0) / Math.max(1, window.length);
  }
  model.dispose();
  bar?.finish(error ? `failed: ${error}` : `test acc ${((tests.at(-1)?.accuracy ?? 0) * 100).toFixed(2)}%`);
  return {
    suite: experiment.suite,
    algorithm: algorithm.name,
    label: experiment.label,
    backend: loaded.name,
    dataset: experiment.dataset.name,
    model: modelName(experiment.spec),
    seed: experiment.seed,
    config: algorithm.config as Json,
    trace: thin(trace, experiment.maxTrace ?? 2000),
    ...(experiment.observe ? { events } : {}),
    tests,
    final: {
      trainLoss,
      testAccuracy: tests.at(-1)?.accuracy ?? null,
      testLoss: tests.at(-1)?.loss ?? null,
      examplesSeen,
      steps,
      wallMs,
      msPerStep: steps > 0 ? wallMs / steps : Number.NaN,
    },
    ...(error ? { error } : {}),
  };
}

/** Keeps at most `max` points, evenly spaced, always including the last. */
function thin<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points];
  const stride = points.length / max;
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(points[Math.floor(i * stride)] as T);
  out[out.length - 1] = points[points.length - 1] as T;
  return out;
}
