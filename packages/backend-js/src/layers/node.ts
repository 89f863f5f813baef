/**
 * The executable form of a spec on the reference backend: one node per layer. A node's
 * `forward` maps a batch (n examples, row-major float64) to its output and returns a
 * `backward` closure over what it needs, so a layer keeps its forward, backward and
 * statistics together in one module. Backward passes carry per-example output gradients
 * δ_i = ∂ℓ_i/∂z_i of each example's own loss (no 1/n); parameterised layers hand their input
 * and δ to `Pass.record`, and the statistics are computed from those after the pass.
 */
import type { HostTensor } from '@abs/core';

/** Maps the gradient of the node's output to the gradient of its input (`undefined` when not wanted). */
export type Backward = (dy: Float64Array, wantInput: boolean) => Float64Array | undefined;

export interface Forward {
  readonly y: Float64Array;
  readonly backward: Backward;
}

export interface Pass {
  readonly params: readonly HostTensor[];
  /** Batch-norm running averages, updated in place when `updateRunning`. */
  readonly buffers: readonly Float32Array[];
  /** `'train'`: batch statistics in batch norm; `'infer'`: running averages. */
  readonly mode: 'train' | 'infer';
  readonly updateRunning: boolean;
  /** A parameterised layer's input (x̂ for batch norm) and output gradients, for its statistics. */
  record(layer: number, input: Float64Array, delta: Float64Array): void;
}

export interface JsNode {
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  forward(x: Float64Array, n: number, pass: Pass): Forward;
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Runs nodes in order; the returned backward runs them in reverse (an empty chain is the identity). */
export function chainForward(nodes: readonly JsNode[], x: Float64Array, n: number, pass: Pass): Forward {
  const backwards: Forward['backward'][] = [];
  let y = x;
  for (const node of nodes) {
    const f = node.forward(y, n, pass);
    backwards.push(f.backward);
    y = f.y;
  }
  return {
    y,
    backward(dy, wantInput) {
      let g: Float64Array | undefined = dy;
      for (let k = backwards.length - 1; k >= 0; k--) {
        g = (backwards[k] as Forward['backward'])(g as Float64Array, wantInput || k > 0);
      }
      return g;
    },
  };
}
