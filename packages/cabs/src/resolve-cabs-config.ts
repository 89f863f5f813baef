/**
 * Validates `cabs(options)` once, at creation, and applies the defaults of
 * README “Defaults”. Messages read `cabs: bsMin must be an integer in [2, bsMax], got 1`.
 * bsMax is capped at the training-set size at run time, not here (no error).
 */
import { checker } from '@abs/core';
import type { SecondMomentFidelity } from '@abs/variance';

/**
 * How second moments of weight-shared layers are formed (README “Fidelity”, “What abs does
 * differently”). Identical for dense layers, the only layer type abs models have today.
 */
export type CabsFidelity = SecondMomentFidelity;

export interface CabsOptions {
  /** α, the constant SGD learning rate: finite, > 0 (required; the reference examples use 0.1). */
  readonly learningRate: number;
  /** Smallest batch size: an integer in [2, bsMax] (default 16). */
  readonly bsMin?: number;
  /** Largest batch size: an integer ≥ bsMin (default 2048); capped at the dataset size. */
  readonly bsMax?: number;
  /** m_0, the first batch size: an integer in [bsMin, bsMax] (default bsMin). */
  readonly initialBatchSize?: number;
  /** μ, the EMA constant for ξ and the loss: in [0, 1) (default 0.95). */
  readonly emaDecay?: number;
  /** Added to the loss average in the denominator: finite, ≥ 0 (default 0). */
  readonly eps?: number;
  /** Multiplier of the rule: finite, > 0 (default 1; the authors recommend 1). */
  readonly c?: number;
  /** `'exact'` (default) or `'reference'` (README “What abs does differently”). */
  readonly fidelity?: CabsFidelity;
  /**
   * Take the whole step in one backend pass (`Model.sgdStep` with ξ) when the model has it
   * (default true); `false` takes it through `evaluate`, the reference path. Both give the
   * same trajectory; it is not part of `config`, so a checkpoint resumes under either.
   */
  readonly fused?: boolean;
}

export interface ResolvedCabsConfig {
  readonly learningRate: number;
  readonly bsMin: number;
  readonly bsMax: number;
  readonly initialBatchSize: number;
  readonly emaDecay: number;
  readonly eps: number;
  readonly c: number;
  readonly fidelity: CabsFidelity;
}

const KNOWN = ['learningRate', 'bsMin', 'bsMax', 'initialBatchSize', 'emaDecay', 'eps', 'c', 'fidelity', 'fused'];

/**
 * @param options see `CabsOptions`
 * @throws InvalidHyperParameterError naming the option, the rule and the value
 * @example
 * resolveCabsConfig({ learningRate: 0.1 });
 * // { learningRate: 0.1, bsMin: 16, bsMax: 2048, initialBatchSize: 16, emaDecay: 0.95,
 * //   eps: 0, c: 1, fidelity: 'exact' }
 * @see README “Defaults”
 */
export function resolveCabsConfig(options: CabsOptions): ResolvedCabsConfig {
  const check = checker('cabs');
  check.check(typeof options === 'object' && options !== null, 'options', options, 'an object');
  for (const key of Object.keys(options)) {
    check.check(KNOWN.includes(key), 'options', key, `made of ${KNOWN.join(', ')}`);
  }
  const learningRate = check.number('learningRate', options.learningRate, { gt: 0 });
  // The rule text names bsMax; an invalid pair is reported on bsMax below.
  const bsMin = check.integer('bsMin', options.bsMin ?? 16, {
    gte: 2,
    lte: Number.POSITIVE_INFINITY,
    names: { lte: 'bsMax' },
  });
  const bsMax = check.integer('bsMax', options.bsMax ?? 2048, { gte: bsMin, names: { gte: 'bsMin' } });
  const initialBatchSize = check.integer('initialBatchSize', options.initialBatchSize ?? bsMin, {
    gte: bsMin,
    lte: bsMax,
    names: { gte: 'bsMin', lte: 'bsMax' },
  });
  const emaDecay = check.number('emaDecay', options.emaDecay ?? 0.95, { gte: 0, lt: 1 });
  const eps = check.number('eps', options.eps ?? 0, { gte: 0 });
  const c = check.number('c', options.c ?? 1, { gt: 0 });
  const fidelity = check.oneOf('fidelity', options.fidelity ?? 'exact', ['exact', 'reference']);
  return { learningRate, bsMin, bsMax, initialBatchSize, emaDecay, eps, c, fidelity };
}
