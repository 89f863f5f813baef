/**
 * Validates `labpal(options)` once, at creation, and applies the defaults of README “API”.
 * `trainingSetSize` and `noiseFactor` stay `null` when unset: N defaults to the bound dataset's
 * size, and ν is then computed from B and N (README “Noise factor and batch-size schedule”).
 */
import { checker, type OptionChecker } from '@abs/core';

/** `'NSGD'` steps by the averaged step size s̄ along the normalised direction; `'SGD'` by λ̄·d. */
export type LabpalMode = 'NSGD' | 'SGD';
/** `'exact'` (default) corrects the reference's bugs; `'reference'` reproduces the published code (README “API”). */
export type Fidelity = 'exact' | 'reference';
/** `[call index, accumulation multiplier before ν]`. */
export type ScheduleEntry = readonly [step: number, multiplier: number];

export interface LabpalOptions {
  /** `'NSGD'` (default) or `'SGD'`; lowercase `'nsgd'` / `'sgd'` are accepted too. */
  readonly mode?: LabpalMode | 'nsgd' | 'sgd';
  /** B, examples per call (default 128). */
  readonly batchSize?: number;
  /** N for the noise factor (default: the bound dataset's size). */
  readonly trainingSetSize?: number | null;
  /** ν; overrides the computed (128/B)·(N/40000). */
  readonly noiseFactor?: number | null;
  /** α, multiplies the measured step (default 1.8). */
  readonly updateStepAdaptation?: number;
  /** β in [0, 1), heavy-ball buffer d ← βd + ḡ (default 0). */
  readonly momentum?: number;
  /** K, updates between measurements (default 1000). */
  readonly reuseSteps?: number;
  /** n_a, the line is sampled on n_a·T_b stored batches (default 10). */
  readonly approxBatches?: number;
  /** Accumulation multipliers before ν (default [[0, 1], [75000, 2], [112500, 4]]). */
  readonly batchSizeSchedule?: readonly ScheduleEntry[];
  /** U, measurements before this many updates are not averaged (default 400). */
  readonly untrustedUpdates?: number;
  /** W, window of the nanmean of step sizes and learning rates (default 25). */
  readonly averagingWindow?: number;
  /** μ, the far probe (default 0.01). */
  readonly probeFar?: number;
  /** h, the near probe, 0 < h < μ (default 1.77e-4). */
  readonly probeNear?: number;
  /** s_max, clips the parabola's minimum before α (default 1). */
  readonly maxStepSize?: number;
  /** ε, floor for step, learning rate and norm (default 1e-6). */
  readonly epsilon?: number;
  /** [lo, hi]: a window aborts when ‖d‖ is outside (default [1e-3, 100]). */
  readonly normGuard?: readonly [number, number];
  /** Failed windows in a row before giving up (default 10). */
  readonly maxConsecutiveFailures?: number;
  /** `'exact'` (default) or `'reference'`. */
  readonly fidelity?: Fidelity;
}

export type ResolvedLabpalConfig = {
  readonly mode: LabpalMode;
  readonly batchSize: number;
  readonly trainingSetSize: number | null;
  readonly noiseFactor: number | null;
  readonly updateStepAdaptation: number;
  readonly momentum: number;
  readonly reuseSteps: number;
  readonly approxBatches: number;
  readonly batchSizeSchedule: readonly ScheduleEntry[];
  readonly untrustedUpdates: number;
  readonly averagingWindow: number;
  readonly probeFar: number;
  readonly probeNear: number;
  readonly maxStepSize: number;
  readonly epsilon: number;
  readonly normGuard: readonly [number, number];
  readonly maxConsecutiveFailures: number;
  readonly fidelity: Fidelity;
};

export const DEFAULT_BATCH_SIZE_SCHEDULE: readonly ScheduleEntry[] = [
  [0, 1],
  [75000, 2],
  [112500, 4],
];

const KNOWN = [
  'mode',
  'batchSize',
  'trainingSetSize',
  'noiseFactor',
  'updateStepAdaptation',
  'momentum',
  'reuseSteps',
  'approxBatches',
  'batchSizeSchedule',
  'untrustedUpdates',
  'averagingWindow',
  'probeFar',
  'probeNear',
  'maxStepSize',
  'epsilon',
  'normGuard',
  'maxConsecutiveFailures',
  'fidelity',
];

/** Rejects keys outside `known` (typos would otherwise silently fall back to defaults). */
export function checkKnownKeys(c: OptionChecker, options: object, known: readonly string[]): void {
  c.check(typeof options === 'object' && options !== null, 'options', options, 'an object');
  for (const key of Object.keys(options)) {
    c.check(known.includes(key), 'options', key, `named ${known.slice(0, -1).join(', ')} or ${known.at(-1)}`);
  }
}

function checkSchedule(c: OptionChecker, value: unknown): readonly ScheduleEntry[] {
  c.check(Array.isArray(value), 'batchSizeSchedule', value, 'an array of [step, multiplier] pairs');
  const entries = value as readonly unknown[];
  return entries.map((entry, i) => {
    const name = `batchSizeSchedule[${i}]`;
    c.check(Array.isArray(entry) && entry.length === 2, name, entry, 'a [step, multiplier] pair');
    const [step, multiplier] = entry as [unknown, unknown];
    const at = c.integer(`${name}[0]`, step, { gte: 0 });
    if (i > 0) {
      const previous = (entries[i - 1] as [number, number])[0];
      c.check(at > previous, `${name}[0]`, at, `greater than the previous step ${previous} (ascending, distinct)`);
    }
    return [at, c.integer(`${name}[1]`, multiplier, { gte: 1 })] as const;
  });
}

function checkNormGuard(c: OptionChecker, value: unknown): readonly [number, number] {
  c.check(Array.isArray(value) && value.length === 2, 'normGuard', value, 'a [low, high] pair');
  const [low, high] = value as [unknown, unknown];
  const lo = c.number('normGuard[0]', low, { gte: 0 });
  return [lo, c.number('normGuard[1]', high, { gt: lo, names: { gt: 'normGuard[0]' } })];
}

/**
 * @param options see `LabpalOptions`
 * @throws InvalidHyperParameterError naming the option, the rule and the value
 * @example
 * resolveLabpalConfig({ mode: 'sgd' }).mode; // 'SGD'
 * @see README “API”
 */
export function resolveLabpalConfig(options: LabpalOptions = {}): ResolvedLabpalConfig {
  const c = checker('labpal');
  checkKnownKeys(c, options, KNOWN);
  const mode = c.oneOf(
    'mode',
    options.mode === 'nsgd' ? 'NSGD' : options.mode === 'sgd' ? 'SGD' : (options.mode ?? 'NSGD'),
    ['NSGD', 'SGD'],
  );
  const probeFar = c.number('probeFar', options.probeFar ?? 0.01, { gt: 0 });
  return {
    mode,
    batchSize: c.integer('batchSize', options.batchSize ?? 128, { gte: 1 }),
    trainingSetSize:
      options.trainingSetSize == null ? null : c.integer('trainingSetSize', options.trainingSetSize, { gte: 1 }),
    noiseFactor: options.noiseFactor == null ? null : c.number('noiseFactor', options.noiseFactor, { gt: 0 }),
    updateStepAdaptation: c.number('updateStepAdaptation', options.updateStepAdaptation ?? 1.8, { gt: 0 }),
    momentum: c.number('momentum', options.momentum ?? 0, { gte: 0, lt: 1 }),
    reuseSteps: c.integer('reuseSteps', options.reuseSteps ?? 1000, { gte: 1 }),
    approxBatches: c.integer('approxBatches', options.approxBatches ?? 10, { gte: 1 }),
    batchSizeSchedule: checkSchedule(c, options.batchSizeSchedule ?? DEFAULT_BATCH_SIZE_SCHEDULE),
    untrustedUpdates: c.integer('untrustedUpdates', options.untrustedUpdates ?? 400, { gte: 0 }),
    averagingWindow: c.integer('averagingWindow', options.averagingWindow ?? 25, { gte: 1 }),
    probeFar,
    probeNear: c.number('probeNear', options.probeNear ?? 1.77e-4, { gt: 0, lt: probeFar, names: { lt: 'probeFar' } }),
    maxStepSize: c.number('maxStepSize', options.maxStepSize ?? 1, { gt: 0 }),
    epsilon: c.number('epsilon', options.epsilon ?? 1e-6, { gt: 0 }),
    normGuard: checkNormGuard(c, options.normGuard ?? [1e-3, 100]),
    maxConsecutiveFailures: c.integer('maxConsecutiveFailures', options.maxConsecutiveFailures ?? 10, { gte: 1 }),
    fidelity: c.oneOf('fidelity', options.fidelity ?? 'exact', ['exact', 'reference']),
  };
}
