/**
 * The training loop: runs an algorithm on a model for a budget of steps and/or examples,
 * evaluates on a test set periodically, reports progress events, writes checkpoints and
 * resumes from them exactly. When a step fails (e.g. a `NonFiniteError`), it rejects with a
 * `TrainingError` carrying the step, the cause and a checkpoint of the last good state; the
 * model keeps the last good parameters, and the algorithm's state tensors are freed (the
 * checkpoint holds host copies). One model takes part in one `train` call at a time.
 */
import type { Algorithm, AlgorithmState, StepReport } from '../algorithm/algorithm';
import { disposeState } from '../algorithm/state-codec';
import { checker } from '../config/validate';
import { InvalidArgumentError } from '../errors/invalid-argument-error';
import { TrainingError } from '../errors/training-error';
import { assertCapabilities } from '../model/capability';
import { type Dataset, validateDataset } from '../model/dataset';
import type { Model } from '../model/model';
import { type Checkpoint, makeCheckpoint, restoreCheckpoint, type TestRecord } from './checkpoint';
import { evaluateModel } from './evaluate-model';

export type TrainEvent<R extends StepReport = StepReport> =
  | {
      readonly type: 'start';
      readonly step: number;
      readonly examplesSeen: number;
      readonly steps?: number;
      readonly examples?: number;
    }
  | { readonly type: 'step'; readonly report: R; readonly wallMs: number }
  | { readonly type: 'test'; readonly record: TestRecord }
  | { readonly type: 'checkpoint'; readonly step: number }
  | { readonly type: 'end'; readonly step: number; readonly examplesSeen: number; readonly wallMs: number };

export interface TrainOptions<R extends StepReport = StepReport> {
  /** Stop after this many steps (counting resumed ones). */
  readonly steps?: number;
  /** Stop once this many training examples were drawn. At least one budget is required. */
  readonly examples?: number;
  /** Seed of the algorithm's sampler and random choices (default 0). */
  readonly seed?: number;
  /** Evaluate on this dataset every `testEvery` steps and at the end. */
  readonly test?: Dataset;
  readonly testEvery?: number;
  readonly onEvent?: (event: TrainEvent<R>) => void | Promise<void>;
  /** Call `onCheckpoint` every `checkpointEvery` steps, at the end and on failure. */
  readonly checkpointEvery?: number;
  readonly onCheckpoint?: (checkpoint: Checkpoint) => void | Promise<void>;
  /**
   * Continue a run from a checkpoint made by the same algorithm, config and spec on the same
   * dataset; each is checked (`InvalidCheckpointError` names the field that differs).
   */
  readonly resume?: Checkpoint;
  /** Resume with an algorithm config that differs from the checkpoint's, on purpose (e.g. a smaller learning rate). */
  readonly allowConfigChange?: boolean;
  /** Stops cleanly (with a final checkpoint) when aborted. */
  readonly signal?: AbortSignal;
}

export interface TrainResult<R extends StepReport = StepReport> {
  readonly steps: number;
  readonly examplesSeen: number;
  readonly wallMs: number;
  readonly trace: readonly R[];
  readonly tests: readonly TestRecord[];
  /** Mean batch loss over the last 10% of steps (at least 1, at most 100); NaN when the trace is empty. */
  readonly recentLoss: number;
  /**
   * True when `recentLoss` is more than `DIVERGENCE_FACTOR` (10) times the first step's loss (the
   * loss at the starting parameters): the run ended, but far above where it started (a step
   * size too large for the problem). `train` reports it rather than stopping the run: a guard
   * would have to pick one threshold for every loss and every noisy start, and would throw
   * away runs that recover. Runs of fewer than 2 steps never diverge.
   */
  readonly diverged: boolean;
  readonly final: TestRecord | undefined;
  /** True when stopped by `signal`. */
  readonly aborted: boolean;
  /** A checkpoint of the end state, to continue training later. */
  checkpoint(): Promise<Checkpoint>;
  /** Frees the algorithm state's tensors (optimiser buffers); the model stays usable. */
  dispose(): void;
}

/** A run's loss this many times its starting loss counts as diverged (`TrainResult.diverged`). */
export const DIVERGENCE_FACTOR = 10;

/** Models inside a `train` call: a second concurrent call on one model would interleave steps. */
const busy = new WeakSet<object>();

/**
 * Mean loss of the last 10% of the trace (at least 1, at most 100 reports), and whether it is
 * `DIVERGENCE_FACTOR` times the first report's loss, the loss at the starting parameters.
 */
function summarize(trace: readonly StepReport[]): { recentLoss: number; diverged: boolean } {
  if (trace.length === 0) return { recentLoss: Number.NaN, diverged: false };
  const window = Math.min(100, Math.max(1, Math.ceil(trace.length / 10)));
  const recent = trace.slice(-window);
  const recentLoss = recent.reduce((s, r) => s + r.loss, 0) / recent.length;
  const first = (trace[0] as StepReport).loss;
  return { recentLoss, diverged: trace.length >= 2 && recentLoss > DIVERGENCE_FACTOR * first };
}

/**
 * @example
 * const run = await train(model, fixedBatch({ optimizer: sgd({ learningRate: 0.1 }), batchSize: 64 }), {
 *   steps: 1000, test: data.test, testEvery: 250,
 * });
 * run.final?.accuracy; // e.g. 0.93
 */
export async function train<T, R extends StepReport>(
  model: Model<T>,
  algorithm: Algorithm<R>,
  options: TrainOptions<R>,
): Promise<TrainResult<R>> {
  const c = checker('train');
  if (options.steps === undefined && options.examples === undefined) {
    c.check(false, 'steps', undefined, 'given (or examples), so the run has a budget');
  }
  if (options.steps !== undefined) c.integer('steps', options.steps, { gte: 0 });
  if (options.examples !== undefined) c.integer('examples', options.examples, { gte: 0 });
  const seed = c.integer('seed', options.seed ?? 0, { gte: 0, lte: 0xffffffff });
  if (options.testEvery !== undefined) c.integer('testEvery', options.testEvery, { gte: 1 });
  if (options.checkpointEvery !== undefined) c.integer('checkpointEvery', options.checkpointEvery, { gte: 1 });
  assertCapabilities(model, algorithm.requires, `needed by ${algorithm.name}`);
  if (options.test) validateDataset(options.test);
  if (busy.has(model)) {
    throw new InvalidArgumentError({
      argument: 'model',
      value: model.backend,
      message: `train: this ${model.backend} model is already being trained by another train() call; await that one or compile a second model`,
    });
  }
  busy.add(model);
  try {
    return await run(model, algorithm, options, seed);
  } finally {
    busy.delete(model);
  }
}

/** The loop of `train`, after its options were checked; frees the algorithm state if it throws. */
async function run<T, R extends StepReport>(
  model: Model<T>,
  algorithm: Algorithm<R>,
  options: TrainOptions<R>,
  seed: number,
): Promise<TrainResult<R>> {
  const trace: R[] = [];
  const tests: TestRecord[] = [];
  let step = 0;
  let examplesSeen = 0;
  let priorWallMs = 0;
  let state: AlgorithmState;
  if (options.resume) {
    state = restoreCheckpoint(model, algorithm, options.resume, {
      allowConfigChange: options.allowConfigChange === true,
    });
    step = options.resume.step;
    examplesSeen = options.resume.examplesSeen;
    priorWallMs = options.resume.wallMs;
    trace.push(...(options.resume.trace as R[]));
    tests.push(...options.resume.tests);
  } else {
    state = await algorithm.init(model, { seed });
  }
  try {
    return await loop();
  } catch (error) {
    // On failure the state's tensors (optimiser buffers) are freed: the checkpoint has host copies.
    disposeState(model.ops, state);
    throw error;
  } finally {
    // What the algorithm keeps beside its state (Arbiter's agent) goes when the run does.
    algorithm.release?.(model);
  }

  async function loop(): Promise<TrainResult<R>> {
    const started = performance.now();
    const wallMs = () => priorWallMs + performance.now() - started;
    const emit = async (event: TrainEvent<R>) => {
      if (options.onEvent) await options.onEvent(event);
    };
    const checkpoint = () =>
      makeCheckpoint(model, algorithm, { state, step, examplesSeen, wallMs: wallMs(), trace, tests });
    const saveCheckpoint = async () => {
      if (!options.onCheckpoint) return;
      await options.onCheckpoint(await checkpoint());
      await emit({ type: 'checkpoint', step });
    };
    const runTest = async () => {
      if (!options.test) return;
      if (tests.at(-1)?.step === step) return;
      const result = await evaluateModel(model, options.test);
      const record: TestRecord = { step, examplesSeen, loss: result.loss, accuracy: result.accuracy };
      tests.push(record);
      await emit({ type: 'test', record });
    };
    const budgetLeft = () =>
      (options.steps === undefined || step < options.steps) &&
      (options.examples === undefined || examplesSeen < options.examples);

    await emit({
      type: 'start',
      step,
      examplesSeen,
      ...(options.steps === undefined ? {} : { steps: options.steps }),
      ...(options.examples === undefined ? {} : { examples: options.examples }),
    });
    if (step === 0 && options.test && options.testEvery !== undefined) await runTest();
    let aborted = false;
    while (budgetLeft()) {
      if (options.signal?.aborted) {
        aborted = true;
        break;
      }
      let result: { state: AlgorithmState; report: R };
      try {
        result = await algorithm.step(model, state);
      } catch (cause) {
        // The algorithm left state and parameters untouched: they are the last good ones.
        const last = await checkpoint();
        if (options.onCheckpoint) await options.onCheckpoint(last);
        throw new TrainingError({ step: step + 1, checkpoint: last, cause });
      }
      state = result.state;
      step += 1;
      examplesSeen = result.report.examplesSeen;
      trace.push(result.report);
      await emit({ type: 'step', report: result.report, wallMs: wallMs() });
      if (options.testEvery !== undefined && step % options.testEvery === 0) await runTest();
      if (options.checkpointEvery !== undefined && step % options.checkpointEvery === 0) await saveCheckpoint();
    }
    await runTest();
    await saveCheckpoint();
    const total = wallMs();
    await emit({ type: 'end', step, examplesSeen, wallMs: total });
    const finalState = state;
    return {
      steps: step,
      examplesSeen,
      wallMs: total,
      trace,
      tests,
      ...summarize(trace),
      final: tests.at(-1),
      aborted,
      checkpoint: () =>
        makeCheckpoint(model, algorithm, { state: finalState, step, examplesSeen, wallMs: total, trace, tests }),
      dispose: () => disposeState(model.ops, finalState),
    };
  }
}
