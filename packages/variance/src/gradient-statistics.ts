/**
 * Everything this package derives from one batch's moments, per parameter group and in
 * total: tr Σ, |G|², the noise scale B_simple = tr Σ/|G|² and the per-example
 * signal-to-noise ratio |G|²/tr Σ. Two scalars per tensor cross into JavaScript (the fused
 * Σ(M − g∘g) and ⟨g, g⟩); groups (e.g. layers) are sums of their tensors.
 */
import { InvalidArgumentError, type TensorOps } from '@abs/core';
import { gradientNoiseScale, signalToNoise } from './gradient-noise-scale';
import type { GradientMoments, VarianceCorrection } from './moments';
import { varianceTrace } from './variance-trace';

export interface GradientStatisticsOptions {
  /** `'population'` (default) or `'bessel'`. */
  readonly correction?: VarianceCorrection;
  /**
   * Group index of each tensor, e.g. `model.parameterInfo.map((p) => p.layer)` for one group
   * per layer. Default: one group per tensor.
   */
  readonly groups?: readonly number[];
}

export interface NoiseSummary {
  /** tr Σ */
  readonly trace: number;
  /** |G|² */
  readonly gradientNormSquared: number;
  /** B_simple = tr Σ / |G|² */
  readonly noiseScale: number;
  /** |G|² / tr Σ (per example) */
  readonly signalToNoise: number;
}

export interface GradientStatistics extends NoiseSummary {
  readonly count: number;
  readonly correction: VarianceCorrection;
  /** One summary per group index 0, 1, …, max(groups). */
  readonly groups: readonly NoiseSummary[];
}

function summary(trace: number, gradientNormSquared: number): NoiseSummary {
  const input = { trace, gradientNormSquared };
  return { trace, gradientNormSquared, noiseScale: gradientNoiseScale(input), signalToNoise: signalToNoise(input) };
}

/**
 * @param ops the backend's tensor operations
 * @param moments count n, mean gradient g and second moment M per parameter
 * @param options `correction`, `groups`
 * @example
 * // spec vectors P1/P2: per-sample gradients [[1, 0], [0, 1], [1, 1], [2, 1]] as one tensor
 * const s = await gradientStatistics(ops, moments, { correction: 'bessel' });
 * s.trace; // 0.9166666666666666
 * s.noiseScale; // 0.5866666666666667
 * @see @abs/cabs README “Test vectors” P1, P2
 */
export async function gradientStatistics<T>(
  ops: TensorOps<T>,
  moments: GradientMoments<T>,
  options: GradientStatisticsOptions = {},
): Promise<GradientStatistics> {
  const correction = options.correction ?? 'population';
  const groups = options.groups ?? moments.mean.map((_, p) => p);
  if (groups.length !== moments.mean.length || groups.some((k) => !Number.isSafeInteger(k) || k < 0)) {
    throw new InvalidArgumentError({
      argument: 'groups',
      value: groups,
      message: `gradientStatistics: groups must hold one non-negative integer per tensor (${moments.mean.length}), got ${JSON.stringify(groups)}`,
    });
  }
  const [trace, norms] = await Promise.all([
    varianceTrace(ops, moments, { correction }),
    Promise.all(moments.mean.map((g) => ops.dot(g, g))),
  ]);
  const count = groups.length === 0 ? 0 : Math.max(...groups) + 1;
  const groupTrace = new Array<number>(count).fill(0);
  const groupNorm = new Array<number>(count).fill(0);
  groups.forEach((k, p) => {
    groupTrace[k] = (groupTrace[k] as number) + (trace.perTensor[p] as number);
    groupNorm[k] = (groupNorm[k] as number) + (norms[p] as number);
  });
  const total = summary(
    trace.total,
    norms.reduce((a, b) => a + b, 0),
  );
  return {
    ...total,
    count: moments.count,
    correction,
    groups: groupTrace.map((t, k) => summary(t, groupNorm[k] as number)),
  };
}
