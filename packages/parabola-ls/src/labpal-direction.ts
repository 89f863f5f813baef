/**
 * The measurement direction, formed at window call j = T_b (README “Measurement”): d = ḡ, or the
 * candidate buffer β·buf + ḡ; the directional derivative is −‖d‖, or −(ḡ·d)/‖d‖ with momentum (‖d‖
 * = 0 → ε when dividing). The window aborts when ‖d‖ is not finite, outside `normGuard`, or the
 * derivative is not negative. An aborted window leaves the momentum buffer as it was, so a
 * non-finite ḡ cannot poison later updates.
 */
import { axpbyList, dotList, type Model, normList, scaleList } from '@abs/core';
import { formatNumber } from './step-selection';
import type { TensorLedger } from './tensor-ledger';

export type Direction<T> =
  | {
      readonly ok: true;
      /** u = −d/max(‖d‖, ε). */
      readonly direction: T[];
      /** max(‖d‖, ε). */
      readonly norm: number;
      /** The new momentum buffer (null when β = 0). */
      readonly momentum: T[] | null;
    }
  | { readonly ok: false; readonly reason: string; readonly norm: number };

/** Why a direction of norm ‖d‖ and derivative −(ḡ·d)/‖d‖ is unusable, or null. */
export function abortReason(norm: number, derivative: number, normGuard: readonly [number, number]): string | null {
  const [low, high] = normGuard;
  if (!Number.isFinite(norm)) return `direction norm ${norm} is not finite`;
  if (norm < low) return `direction norm ${norm.toExponential(1)} < normGuard[0] = ${low.toExponential()}`;
  if (norm > high) return `direction norm ${norm.toExponential(1)} > normGuard[1] = ${high.toExponential()}`;
  if (!(derivative < 0)) return `directional derivative ${formatNumber(derivative)} is not negative`;
  return null;
}

export async function formDirection<T>(
  model: Model<T>,
  input: { gradient: readonly T[]; momentum: readonly T[] | null; ledger: TensorLedger<T> },
  config: { momentum: number; epsilon: number; normGuard: readonly [number, number] },
): Promise<Direction<T>> {
  const { ops } = model;
  const { gradient, ledger } = input;
  const candidate =
    config.momentum !== 0 && input.momentum !== null
      ? ledger.create(axpbyList(ops, config.momentum, input.momentum, 1, gradient))
      : null;
  const d = candidate ?? gradient;
  const norm = await normList(ops, d);
  const divisor = norm === 0 ? config.epsilon : norm;
  const derivative = candidate === null ? -norm : -(await dotList(ops, gradient, d)) / divisor;
  const reason = abortReason(norm, derivative, config.normGuard);
  if (reason !== null) {
    ledger.discard(candidate);
    return { ok: false, reason, norm };
  }
  const stored = Math.max(norm, config.epsilon);
  return { ok: true, direction: ledger.create(scaleList(ops, d, -1 / stored)), norm: stored, momentum: candidate };
}
