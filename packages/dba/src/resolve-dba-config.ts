/**
 * Validates `dba(options)` once, at creation, and applies the defaults of
 * README “Defaults”. m_min's default depends on the actual pool N (the dataset may be
 * smaller than `batchSize`), so it stays `null` here and is resolved per model.
 */
import { adam, checker, type Optimizer } from '@abs/core';
import type { DbaMode } from './select-subset';
import type { DbaMetric } from './subset-metric';
import type { DbaUpdate } from './subset-weights';

export type DbaScope = 'layer' | 'global';

export interface DbaOptions {
  /** N, the candidate pool per step: an integer ≥ 2 (default 64). Capped at the dataset size. */
  readonly batchSize?: number;
  /** Selection metric (default `'varmean'`). `'rob'` is rejected: see `resolveDbaConfig`. */
  readonly metric?: DbaMetric | 'rob';
  /** `'threshold'` (default) or `'argmin'`. */
  readonly mode?: DbaMode;
  /** τ in [0, 1) for `threshold` mode (default 0.5); not allowed with `argmin`. */
  readonly tau?: number;
  /** m_min, an integer in [1, batchSize] (default max(2, ⌈N/4⌉) from the actual N). */
  readonly minSubset?: number;
  /** `'mean'` (default) or `'sumOverN'`. */
  readonly update?: DbaUpdate;
  /** `'layer'` (default): select per layer; `'global'`: once, on Σ_ℓ K_ℓ. */
  readonly scope?: DbaScope;
  /** Base optimiser from `@abs/core` (default `adam({ learningRate: 1e-3 })`). */
  readonly optimizer?: Optimizer;
}

export interface ResolvedDbaConfig {
  readonly batchSize: number;
  readonly metric: DbaMetric;
  readonly mode: DbaMode;
  /** 0 in `argmin` mode, which is `threshold` with τ = 0. */
  readonly tau: number;
  /** `null`: max(2, ⌈N/4⌉) from the actual N. */
  readonly minSubset: number | null;
  readonly update: DbaUpdate;
  readonly scope: DbaScope;
  readonly optimizer: Optimizer;
}

const KNOWN = ['batchSize', 'metric', 'mode', 'tau', 'minSubset', 'update', 'scope', 'optimizer'];

/**
 * @param options see `DbaOptions`
 * @throws InvalidHyperParameterError naming the option, the rule and the value (also for `metric: 'rob'`)
 * @example
 * resolveDbaConfig({ batchSize: 32 }).tau; // 0.5
 * @see README “Defaults”
 */
export function resolveDbaConfig(options: DbaOptions = {}): ResolvedDbaConfig {
  const c = checker('dba');
  c.check(typeof options === 'object' && options !== null, 'options', options, 'an object');
  for (const key of Object.keys(options)) {
    c.check(KNOWN.includes(key), 'options', key, `named ${KNOWN.slice(0, -1).join(', ')} or ${KNOWN.at(-1)}`);
  }
  const batchSize = c.integer('batchSize', options.batchSize ?? 64, { gte: 2 });
  // 'rob' needs the coordinate-wise median of the N per-example gradients: the Gram matrix
  // cannot express it and no abs backend materialises per-example gradients (README “Metrics”).
  c.check(
    options.metric !== 'rob',
    'metric',
    options.metric,
    "one of 'varmean' | 'nsr' | 'var' ('rob' needs materialised per-example gradients, which no abs backend provides)",
  );
  const metric = c.oneOf('metric', options.metric ?? 'varmean', ['varmean', 'nsr', 'var']);
  const mode = c.oneOf('mode', options.mode ?? 'threshold', ['threshold', 'argmin']);
  let tau = 0;
  if (mode === 'threshold') {
    tau = c.number('tau', options.tau ?? 0.5, { gte: 0, lt: 1 });
  } else {
    c.check(options.tau === undefined, 'tau', options.tau, "unset in mode 'argmin' (τ applies to 'threshold' only)");
  }
  const minSubset =
    options.minSubset === undefined
      ? null
      : c.integer('minSubset', options.minSubset, { gte: 1, lte: batchSize, names: { lte: 'batchSize' } });
  const update = c.oneOf('update', options.update ?? 'mean', ['mean', 'sumOverN']);
  const scope = c.oneOf('scope', options.scope ?? 'layer', ['layer', 'global']);
  const optimizer = options.optimizer ?? adam({ learningRate: 1e-3 });
  c.check(
    typeof optimizer?.update === 'function' && typeof optimizer.init === 'function',
    'optimizer',
    optimizer,
    'an optimizer from @abs/core (sgd, momentum, adam)',
  );
  return { batchSize, metric, mode, tau, minSubset, update, scope, optimizer };
}
