/**
 * The device form of a spec: one node per layer (a dense or conv layer and the activation right
 * after it share a node, so tfjs can fuse them). A node's `forward` maps a batch to its output
 * with tfjs ops and returns the `backward` closure over what it needs; everything runs inside the
 * pass's `tf.tidy`. Backward passes carry Δ̃, the per-example output gradients scaled by the
 * pass's s (see `network-pass.ts`); parameterised layers hand their input and Δ̃ to `record`.
 */
import type { Activation, LayerInfo } from '@abs/core';
import type { Tensor, TensorFlow } from '../../tfjs-namespace';
import type { DenseMath } from '../dense-math';

/** Maps the gradient of the node's output to that of its input (`undefined` when not wanted). */
export type Backward = (dy: Tensor, wantInput: boolean) => Tensor | undefined;

export interface Forward {
  readonly y: Tensor;
  readonly backward: Backward;
}

export interface PassState {
  readonly parameters: readonly Tensor[];
  /** `'train'`: batch statistics in batch norm; `'infer'`: running averages. */
  readonly mode: 'train' | 'infer';
  /** Batch-norm running averages, in `bufferInfo` order. */
  readonly buffers: readonly Tensor[];
  /** Receives a buffer's new value when this pass updates running averages (absent: keep them). */
  readonly stage?: (buffer: number, value: Tensor) => void;
  /** A parameterised layer's input (x̂ for batch norm) and Δ̃ at its output, for its statistics. */
  record(layer: number, input: Tensor, delta: Tensor): void;
}

export interface DeviceNode {
  forward(x: Tensor, state: PassState): Forward;
}

export interface NodeContext {
  readonly tf: TensorFlow;
  readonly math: DenseMath;
}

/** f(z) for an activation layer (`identity` passes z through). */
export function activate(tf: TensorFlow, activation: Activation, z: Tensor): Tensor {
  switch (activation) {
    case 'identity':
      return z;
    case 'relu':
      return tf.relu(z);
    case 'tanh':
      return tf.tanh(z);
    case 'sigmoid':
      return tf.sigmoid(z);
  }
}

/** U ∘ f′(z) written in the activation a = f(z), for tensors of any rank. */
export function activationDerivative(tf: TensorFlow, activation: Activation, upstream: Tensor, a: Tensor): Tensor {
  switch (activation) {
    case 'identity':
      return upstream;
    case 'relu':
      return tf.mul(upstream, tf.step(a));
    case 'tanh':
      return tf.mul(upstream, tf.sub(1, tf.square(a)));
    case 'sigmoid':
      return tf.mul(upstream, tf.mul(a, tf.sub(1, a)));
  }
}

/** A standalone activation layer. */
export function activationNode(tf: TensorFlow, activation: Activation): DeviceNode {
  return {
    forward(x) {
      const y = activate(tf, activation, x);
      return { y, backward: (dy, wantInput) => (wantInput ? activationDerivative(tf, activation, dy, y) : undefined) };
    },
  };
}

/** Runs nodes in order; the backward runs them in reverse (an empty chain is the identity). */
export function chainForward(nodes: readonly DeviceNode[], x: Tensor, state: PassState): Forward {
  const backwards: Backward[] = [];
  let y = x;
  for (const node of nodes) {
    const f = node.forward(y, state);
    backwards.push(f.backward);
    y = f.y;
  }
  return {
    y,
    backward(dy, wantInput) {
      let g: Tensor | undefined = dy;
      for (let k = backwards.length - 1; k >= 0; k--) {
        g = (backwards[k] as Backward)(g as Tensor, wantInput || k > 0);
      }
      return g;
    },
  };
}

/** The parameter tensors of a layer: weight (or γ) and, when present, bias (or β). */
export const layerParameters = (state: PassState, info: LayerInfo): [Tensor, Tensor | undefined] => [
  state.parameters[info.parameters[0] as number] as Tensor,
  info.parameters[1] === undefined ? undefined : (state.parameters[info.parameters[1]] as Tensor),
];
