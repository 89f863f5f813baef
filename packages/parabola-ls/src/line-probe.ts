/**
 * Evaluating the sampled full-batch loss L̂ along the line θ0 + s·u (README “Measurement”): the
 * same stored batches (common random numbers) at other parameters, without touching the model.
 * Backends store parameters in float32, and at h = 1.77e-4 the rounding of θ0 + h·u moves the probe
 * by up to 1e-4 of h, so the distance used by the fit is the one actually travelled, ŝ = ⟨fl(θ0 +
 * s·u) − θ0, u⟩ / ⟨u, u⟩, not the nominal s.
 */
import { axpbyList, type BatchIndices, disposeList, dotList, type Model, subList } from '@abs/core';
import { nanmean } from './step-selection';

export interface Probe<T> {
  /** θ0 + s·u as the backend stores it (owned by the caller). */
  readonly parameters: T[];
  /** ŝ, the distance along u actually travelled. */
  readonly distance: number;
}

/**
 * @param line θ0 (`origin`), u (`direction`) and ⟨u, u⟩
 * @param distance the nominal s
 */
export async function probePoint<T>(
  model: Model<T>,
  line: { origin: readonly T[]; direction: readonly T[]; directionDot: number },
  distance: number,
): Promise<Probe<T>> {
  const { ops } = model;
  const parameters = axpbyList(ops, 1, line.origin, distance, line.direction);
  const delta = subList(ops, parameters, line.origin);
  try {
    return { parameters, distance: (await dotList(ops, delta, line.direction)) / line.directionDot };
  } catch (error) {
    disposeList(ops, parameters);
    throw error;
  } finally {
    disposeList(ops, delta);
  }
}

/** The nanmean of the stored batches' mean losses at `parameters` (float64), and each loss. */
export async function sampledLoss<T>(
  model: Model<T>,
  batches: readonly BatchIndices[],
  parameters?: readonly T[],
): Promise<number> {
  const losses: number[] = [];
  for (const batch of batches) {
    const result = await model.evaluate(batch, parameters === undefined ? {} : { parameters });
    losses.push(result.loss);
  }
  return nanmean(losses);
}

/** L̂ at the probe θ0 + s·u and the distance travelled; the probe's tensors are freed. */
export async function lossAlongLine<T>(
  model: Model<T>,
  line: { origin: readonly T[]; direction: readonly T[]; directionDot: number; batches: readonly BatchIndices[] },
  distance: number,
): Promise<{ loss: number; distance: number }> {
  const probe = await probePoint(model, line, distance);
  try {
    return { loss: await sampledLoss(model, line.batches, probe.parameters), distance: probe.distance };
  } finally {
    disposeList(model.ops, probe.parameters);
  }
}
