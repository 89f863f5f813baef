/**
 * Evaluating the sampled full-batch loss L̂ along the line θ0 + s·u (README “Measurement”): the
 * same stored batches (common random numbers) at other parameters, without touching the model.
 * Backends store parameters in float32, and at h = 1.77e-4 the rounding of θ0 + h·u moves the probe
 * by up to 1e-4 of h, so the distance used by the fit is the one actually travelled, ŝ = ⟨fl(θ0 +
 * s·u) − θ0, u⟩ / ⟨u, u⟩, not the nominal s; one pass over the parameters on a host backend.
 */
import { type BatchIndices, disposeList, type Model } from '@abs/core';
import { type Line, probeLineList } from './line-ops';
import { nanmean } from './step-selection';

export interface Probe<T> {
  /** θ0 + s·u as the backend stores it (owned by the caller). */
  readonly parameters: T[];
  /** ŝ, the distance along u actually travelled. */
  readonly distance: number;
}

/**
 * @param line θ0, d and c of the line θ0 + t·c·d
 * @param distance the nominal s
 */
export async function probePoint<T>(model: Model<T>, line: Line<T>, distance: number): Promise<Probe<T>> {
  const { point, travelled, directionDot } = await probeLineList(model.ops, line, distance);
  return { parameters: point, distance: travelled / directionDot };
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
  line: Line<T> & { readonly batches: readonly BatchIndices[] },
  distance: number,
): Promise<{ loss: number; distance: number }> {
  const probe = await probePoint(model, line, distance);
  try {
    return { loss: await sampledLoss(model, line.batches, probe.parameters), distance: probe.distance };
  } finally {
    disposeList(model.ops, probe.parameters);
  }
}
