/**
 * LABPAL's noise factor ν = (128/B)·(N/40000) and the scaled accumulation schedule
 * (README “Noise factor and batch-size schedule”): each multiplier becomes max(⌊m·ν⌋, 1); the steps are
 * not scaled. In `reference` mode N is first replaced by ⌊N/B⌋·B, the size the reference's
 * data loaders report (so CIFAR-10 gets ν = 0.9984 and multipliers (1, 1, 3), the fidelity notes in README “API”).
 */
import type { Fidelity, ScheduleEntry } from './resolve-labpal-config';

/**
 * @param options B (`batchSize`), N (`trainingSetSize`) and the fidelity mode
 * @returns ν, the factor that scales the accumulation multipliers
 * @example
 * noiseFactor({ batchSize: 128, trainingSetSize: 40000, fidelity: 'reference' }); // 0.9984
 * noiseFactor({ batchSize: 128, trainingSetSize: 40000, fidelity: 'exact' }); // 1
 * @see README “Noise factor and batch-size schedule”
 */
export function noiseFactor(options: { batchSize: number; trainingSetSize: number; fidelity: Fidelity }): number {
  const { batchSize, fidelity } = options;
  const size =
    fidelity === 'reference' ? Math.floor(options.trainingSetSize / batchSize) * batchSize : options.trainingSetSize;
  return (128 / batchSize) * (size / 40000);
}

/**
 * Scales the multipliers of a schedule by ν with truncation, keeping at least 1.
 * @example
 * scaleSchedule([[0, 1], [75000, 2], [112500, 4]], 0.9984); // [[0, 1], [75000, 1], [112500, 3]]
 * @see README “Noise factor and batch-size schedule”
 */
export function scaleSchedule(schedule: readonly ScheduleEntry[], factor: number): ScheduleEntry[] {
  return schedule.map(([step, multiplier]) => [step, Math.max(Math.floor(multiplier * factor), 1)] as const);
}
