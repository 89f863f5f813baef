/**
 * Validates `arbiter(options)` once, at creation, and applies the defaults of
 * README “Defaults” (preset `'paper'`, the paper-time `.py` design) or of the
 * `'notebook'` preset; explicit options override the preset. The injection layer depends on
 * the inner model, so it stays `null` (the input of the last dense layer) until `init`.
 */
import { checker, momentum, type Optimizer } from '@abs/core';
import type { Fidelity } from './batch-size-map';
import type { HypergradientOptimizer } from './hypergradient-optimizer';
import { type HypergradientSetting, resolveHypergradient } from './resolve-hypergradient';

export type ArbiterPreset = 'paper' | 'notebook';
export type WarmupInput = 'validation' | 'noise';
export type AgentKind = 'mlp' | 'conv';

/** Milestones count completed epochs: `{ milestones: [25], sizes: [128] }` trains epoch 26 on with B = 128. */
export interface FixedSchedule {
  readonly milestones: readonly number[];
  readonly sizes: readonly number[];
}

export interface ArbiterOptions {
  /** Defaults to start from (default `'paper'`); other options override it. */
  readonly preset?: ArbiterPreset;
  /** s_min, s_max: integers with 1 ≤ sMin < sMax (default 8, 512; notebook 8, 1000). */
  readonly sMin?: number;
  readonly sMax?: number;
  /** B of the first epoch, an integer in [sMin, sMax] (default 128). */
  readonly initialBatchSize?: number;
  /** K candidates, an integer ≥ 1 (default 4; K = 1 makes α inert). */
  readonly nSamples?: number;
  /** Adam learning rate of the agent trunk φ and of m (default 1e-5; notebook 1e-6). */
  readonly phiLr?: number;
  /** Adam learning rate of the mixture logits α (default 1e-4; notebook 1e-6). */
  readonly alphaLr?: number;
  /** Coupled L2 weight decay of the agent's Adam on φ, m and α (default 5e-4). */
  readonly agentWeightDecay?: number;
  readonly agentBeta1?: number;
  readonly agentBeta2?: number;
  readonly agentEpsilon?: number;
  /** α is drawn as alphaInitScale·N(0, I_K) (default 1e-6). */
  readonly alphaInitScale?: number;
  /** Epochs between two batch-size decisions, an integer ≥ 1 (default 1). */
  readonly schedInterval?: number;
  /** Share of the dataset (by index, from the front) that trains the inner model (default 0.8). */
  readonly trainFraction?: number;
  /** Run the warm-ups of README “Warm-up” (default true). Not in the authors' code: off only for replay or tests. */
  readonly warmup?: boolean;
  readonly warmupLr?: number;
  readonly warmupTolerance?: number;
  readonly maxWarmupIters?: number;
  /** Observation input during warm-up (default `'validation'`; notebook `'noise'`). */
  readonly warmupInput?: WarmupInput;
  /**
   * The agent (default `'mlp'`; notebook: `'conv'` for image datasets, `'mlp'` for flat ones).
   * `'conv'` is the authors' batch-normalised CNN and needs images `[height, width, channels]`.
   */
  readonly agent?: AgentKind;
  /** Layer whose input is injected (default: the last dense layer). Checked against the model at init. */
  readonly injectionLayer?: number;
  /** Fixed batch-size schedule to complement (`true`: milestones [25, 50, 100], sizes [128, 256, 512]). */
  readonly fixedSchedule?: FixedSchedule | boolean;
  /** Inner optimiser (default momentum, lr 0.01, μ 0.9, wd 5e-4; notebook lr 0.1). */
  readonly innerOptimizer?: Optimizer;
  /** Hypergradient learning rate for the inner optimiser: SGD-HD or Adam-HD with β_hd = beta. */
  readonly innerLrHypergradient?: HypergradientSetting | false;
  /** Floor of the batch-size map (default `'corrected'`). */
  readonly fidelity?: Fidelity;
}

export interface ResolvedArbiterConfig {
  readonly preset: ArbiterPreset;
  readonly sMin: number;
  readonly sMax: number;
  readonly initialBatchSize: number;
  readonly nSamples: number;
  readonly phiLr: number;
  readonly alphaLr: number;
  readonly agentWeightDecay: number;
  readonly agentBeta1: number;
  readonly agentBeta2: number;
  readonly agentEpsilon: number;
  readonly alphaInitScale: number;
  readonly schedInterval: number;
  readonly trainFraction: number;
  readonly warmup: boolean;
  readonly warmupLr: number;
  readonly warmupTolerance: number;
  readonly maxWarmupIters: number;
  readonly warmupInput: WarmupInput;
  /** `null`: `'conv'` for an image dataset, `'mlp'` otherwise (the notebook default; see `resolveAgentKind`). */
  readonly agent: AgentKind | null;
  /** `null`: the input of the inner model's last dense layer. */
  readonly injectionLayer: number | null;
  readonly fixedSchedule: FixedSchedule | null;
  /** The optimiser actually used (an HD optimiser when `innerLrHypergradient` is on). */
  readonly innerOptimizer: Optimizer | HypergradientOptimizer;
  readonly innerLrHypergradient: HypergradientSetting | null;
  readonly fidelity: Fidelity;
}

const PRESETS: Record<
  ArbiterPreset,
  { sMax: number; phiLr: number; alphaLr: number; warmupInput: WarmupInput; agent: AgentKind | null; lr: number }
> = {
  paper: { sMax: 512, phiLr: 1e-5, alphaLr: 1e-4, warmupInput: 'validation', agent: 'mlp', lr: 0.01 },
  notebook: { sMax: 1000, phiLr: 1e-6, alphaLr: 1e-6, warmupInput: 'noise', agent: null, lr: 0.1 },
};

const REFERENCE_SCHEDULE: FixedSchedule = { milestones: [25, 50, 100], sizes: [128, 256, 512] };

const KNOWN = [
  'preset',
  'sMin',
  'sMax',
  'initialBatchSize',
  'nSamples',
  'phiLr',
  'alphaLr',
  'agentWeightDecay',
  'agentBeta1',
  'agentBeta2',
  'agentEpsilon',
  'alphaInitScale',
  'schedInterval',
  'trainFraction',
  'warmup',
  'warmupLr',
  'warmupTolerance',
  'maxWarmupIters',
  'warmupInput',
  'agent',
  'injectionLayer',
  'fixedSchedule',
  'innerOptimizer',
  'innerLrHypergradient',
  'fidelity',
];

/** Names from the issue text, mapped to the spec's option names. */
const ALIASES: Record<string, string> = {
  samples: 'spelled nSamples',
  schedulingInterval: 'spelled schedInterval',
  agentLearningRates: 'given as phiLr and alphaLr',
  mode: 'given as fixedSchedule and/or innerLrHypergradient (stand-alone is the default)',
};

/**
 * @param options see `ArbiterOptions`
 * @throws InvalidHyperParameterError naming the option, the rule and the value
 * @example
 * resolveArbiterConfig({ preset: 'notebook' }).sMax; // 1000
 * @see README “Defaults”
 */
export function resolveArbiterConfig(options: ArbiterOptions = {}): ResolvedArbiterConfig {
  const c = checker('arbiter');
  c.check(typeof options === 'object' && options !== null, 'options', options, 'an object');
  for (const key of Object.keys(options)) {
    const alias = ALIASES[key];
    if (alias) c.check(false, key, (options as Record<string, unknown>)[key], alias);
    c.check(KNOWN.includes(key), 'options', key, `named ${KNOWN.slice(0, -1).join(', ')} or ${KNOWN.at(-1)}`);
  }
  const preset = c.oneOf('preset', options.preset ?? 'paper', ['paper', 'notebook']);
  const base = PRESETS[preset];
  const sMin = c.integer('sMin', options.sMin ?? 8, { gte: 1 });
  const sMax = c.integer('sMax', options.sMax ?? base.sMax, { gt: sMin, names: { gt: 'sMin' } });
  const range = { gte: sMin, lte: sMax, names: { gte: 'sMin', lte: 'sMax' } };
  const initialBatchSize = c.integer('initialBatchSize', options.initialBatchSize ?? 128, range);
  const nSamples = c.integer('nSamples', options.nSamples ?? 4, { gte: 1 });
  const phiLr = c.number('phiLr', options.phiLr ?? base.phiLr, { gt: 0 });
  const alphaLr = c.number('alphaLr', options.alphaLr ?? base.alphaLr, { gt: 0 });
  const agentWeightDecay = c.number('agentWeightDecay', options.agentWeightDecay ?? 5e-4, { gte: 0 });
  const agentBeta1 = c.number('agentBeta1', options.agentBeta1 ?? 0.9, { gte: 0, lt: 1 });
  const agentBeta2 = c.number('agentBeta2', options.agentBeta2 ?? 0.999, { gte: 0, lt: 1 });
  const agentEpsilon = c.number('agentEpsilon', options.agentEpsilon ?? 1e-8, { gt: 0 });
  const alphaInitScale = c.number('alphaInitScale', options.alphaInitScale ?? 1e-6, { gte: 0 });
  const schedInterval = c.integer('schedInterval', options.schedInterval ?? 1, { gte: 1 });
  const trainFraction = c.number('trainFraction', options.trainFraction ?? 0.8, { gt: 0, lt: 1 });
  const warmup = c.boolean('warmup', options.warmup ?? true);
  const warmupLr = c.number('warmupLr', options.warmupLr ?? 1e-4, { gt: 0 });
  const warmupTolerance = c.number('warmupTolerance', options.warmupTolerance ?? 2, { gt: 0 });
  const maxWarmupIters = c.integer('maxWarmupIters', options.maxWarmupIters ?? 10000, { gte: 1 });
  const warmupInput = c.oneOf('warmupInput', options.warmupInput ?? base.warmupInput, ['validation', 'noise']);
  const agent = options.agent === undefined ? base.agent : c.oneOf('agent', options.agent, ['mlp', 'conv']);
  const injectionLayer =
    options.injectionLayer === undefined ? null : c.integer('injectionLayer', options.injectionLayer, { gte: 0 });
  const fixedSchedule = resolveSchedule(options.fixedSchedule, range);
  const fidelity = c.oneOf('fidelity', options.fidelity ?? 'corrected', ['corrected', 'reference']);
  const baseOptimizer = options.innerOptimizer ?? momentum({ learningRate: base.lr, momentum: 0.9, weightDecay: 5e-4 });
  c.check(
    typeof baseOptimizer?.update === 'function' && typeof baseOptimizer.init === 'function',
    'innerOptimizer',
    baseOptimizer,
    'an optimizer (sgd, momentum, adam from @abs/core, or sgdHd, adamHd)',
  );
  const hd = resolveHypergradient(options.innerLrHypergradient, {
    base: baseOptimizer,
    given: options.innerOptimizer !== undefined,
  });
  return {
    preset,
    sMin,
    sMax,
    initialBatchSize,
    nSamples,
    phiLr,
    alphaLr,
    agentWeightDecay,
    agentBeta1,
    agentBeta2,
    agentEpsilon,
    alphaInitScale,
    schedInterval,
    trainFraction,
    warmup,
    warmupLr,
    warmupTolerance,
    maxWarmupIters,
    warmupInput,
    agent,
    injectionLayer,
    fixedSchedule,
    innerOptimizer: hd?.optimizer ?? baseOptimizer,
    innerLrHypergradient: hd?.setting ?? null,
    fidelity,
  };
}

function resolveSchedule(
  value: FixedSchedule | boolean | undefined,
  range: { gte: number; lte: number; names: { gte: string; lte: string } },
): FixedSchedule | null {
  const c = checker('arbiter');
  if (value === undefined || value === false) return null;
  if (value === true) {
    REFERENCE_SCHEDULE.sizes.forEach((s, i) => c.integer(`fixedSchedule.sizes[${i}]`, s, range));
    return REFERENCE_SCHEDULE;
  }
  c.check(
    typeof value === 'object' && value !== null && Array.isArray(value.milestones) && Array.isArray(value.sizes),
    'fixedSchedule',
    value,
    'true, false or { milestones: number[], sizes: number[] }',
  );
  const { milestones, sizes } = value;
  c.check(
    milestones.length >= 1 && milestones.length === sizes.length,
    'fixedSchedule',
    value,
    'a schedule with as many sizes as milestones (at least one)',
  );
  milestones.forEach((m, i) =>
    c.integer(`fixedSchedule.milestones[${i}]`, m, i === 0 ? { gte: 1 } : { gt: milestones[i - 1] as number }),
  );
  sizes.forEach((s, i) => c.integer(`fixedSchedule.sizes[${i}]`, s, range));
  return { milestones: [...milestones], sizes: [...sizes] };
}
