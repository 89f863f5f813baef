/**
 * Per-example losses and their output gradients δ_i = ∂ℓ_i/∂z_i (each example's own loss,
 * no 1/n), in float32 inside the graph:
 * - softmax cross-entropy with one-hot targets y: ℓ = −Σ_j y_j·logsoftmax(z)_j,
 *   δ = softmax(z) − y = exp(logsoftmax(z)) − y;
 * - mse: ℓ = ½‖z − t‖², δ = z − t.
 */
import type { Loss } from '@abs/core';
import { attr, type GraphBuilder } from './graph-builder';

export interface LossValues {
  /** [batch] per-example losses. */
  readonly perExample: string;
  /** batch × outputs per-example output gradients (only when asked for). */
  readonly delta?: string;
}

export function addLoss(g: GraphBuilder, loss: Loss, z: string, target: string, withDelta: boolean): LossValues {
  const classAxis = g.int64s([1]);
  if (loss === 'softmax-cross-entropy') {
    const logProbabilities = g.node('LogSoftmax', [z], { axis: attr.int(1) });
    const picked = g.node('ReduceSum', [g.node('Mul', [target, logProbabilities]), classAxis], {
      keepdims: attr.int(0),
    });
    const perExample = g.node('Neg', [picked]);
    if (!withDelta) return { perExample };
    return { perExample, delta: g.node('Sub', [g.node('Exp', [logProbabilities]), target]) };
  }
  const residual = g.node('Sub', [z, target]);
  const squares = g.node('ReduceSum', [g.node('Mul', [residual, residual]), classAxis], { keepdims: attr.int(0) });
  const perExample = g.node('Mul', [squares, g.scalar(0.5)]);
  return withDelta ? { perExample, delta: residual } : { perExample };
}
