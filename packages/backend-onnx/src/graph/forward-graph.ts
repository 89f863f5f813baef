/**
 * The forward pass of an `mlp` as ONNX nodes: Z_l = A_l·W_l + b_l (Gemm, or MatMul without
 * bias) and A_{l+1} = f(Z_l) for hidden layers; the output layer is linear. Shared by the
 * training graphs (parameters as inputs) and the exported inference model (parameters as
 * initializers).
 */
import type { Activation, DenseStack } from '@abs/core';
import type { GraphBuilder } from './graph-builder';

export interface ForwardValues {
  /** a[l]: the activations entering layer l (defined for l ≥ start). */
  readonly a: string[];
  /** z[l]: the pre-activation of layer l. */
  readonly z: string[];
  /** The network's raw outputs (z of the last layer). */
  readonly output: string;
}

export interface ForwardOptions {
  /** Name of the value entering layer `start`. */
  readonly input: string;
  /** First layer to run (0, or the layer whose input features were replaced). */
  readonly start: number;
  /** Name of W_l (in × out). */
  readonly weight: (layer: number) => string;
  /** Name of b_l ([out]), or undefined for specs without bias. */
  readonly bias: (layer: number) => string | undefined;
  /** Name for the network's outputs (so a graph output needs no Identity node). */
  readonly outputName?: string;
}

const ACTIVATION_OPS: Record<Exclude<Activation, 'identity'>, string> = {
  relu: 'Relu',
  tanh: 'Tanh',
  sigmoid: 'Sigmoid',
};

export function activate(g: GraphBuilder, kind: Activation, z: string): string {
  return kind === 'identity' ? z : g.node(ACTIVATION_OPS[kind], [z]);
}

export function addForward(g: GraphBuilder, spec: DenseStack, options: ForwardOptions): ForwardValues {
  const depth = spec.layerSizes.length - 1;
  const a: string[] = [];
  const z: string[] = [];
  a[options.start] = options.input;
  for (let l = options.start; l < depth; l++) {
    const inputs = [a[l] as string, options.weight(l)];
    const b = options.bias(l);
    const name = l + 1 === depth ? options.outputName : undefined;
    z[l] = b === undefined ? g.node('MatMul', inputs, {}, name) : g.node('Gemm', [...inputs, b], {}, name);
    if (l + 1 < depth) a[l + 1] = activate(g, spec.activation, z[l] as string);
  }
  return { a, z, output: z[depth - 1] as string };
}
