/**
 * Reads an abs `mlp` spec off a `tf.Sequential` of Dense layers. Kernels are `in × out` in
 * both worlds, so weights map one to one onto `[W0, b0, W1, b1, …]`. Hidden layers must share
 * one activation (relu, tanh, sigmoid or linear → identity) and every layer the same `useBias`;
 * the output layer is linear, or softmax, which maps to softmax cross-entropy on the logits
 * (the abs model outputs the logits, the tfjs model their softmax). Structural types only, so
 * this package needs no `@tensorflow/tfjs-layers`.
 */
import { type Activation, InvalidArgumentError, type Loss, type ModelSpec, mlp } from '@abs/core';
import { UnsupportedLayerError } from '../errors/unsupported-layer-error';
import type { Tensor } from '../tfjs-namespace';

/** The part of a tfjs-layers `Layer` this package uses. */
export interface DenseLayerLike {
  readonly name: string;
  getClassName(): string;
  getConfig(): { readonly [key: string]: unknown };
  getWeights(): Tensor[];
  setWeights(weights: Tensor[]): void;
}

/** The part of a tfjs-layers `Sequential` this package uses. */
export interface SequentialLike {
  readonly layers: readonly DenseLayerLike[];
  getClassName(): string;
  readonly inputs?: readonly { readonly shape: readonly (number | null)[] }[];
}

const HIDDEN: Readonly<Record<string, Activation>> = {
  relu: 'relu',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  linear: 'identity',
};
const UNSUPPORTED_OPTIONS = [
  'kernelRegularizer',
  'biasRegularizer',
  'activityRegularizer',
  'kernelConstraint',
  'biasConstraint',
];

export function specFromLayers(model: SequentialLike, loss?: Loss): { spec: ModelSpec; dense: DenseLayerLike[] } {
  if (typeof model?.getClassName !== 'function' || model.getClassName() !== 'Sequential') {
    throw new InvalidArgumentError({
      argument: 'layersModel',
      value: typeof model?.getClassName === 'function' ? model.getClassName() : model,
      message: `fromLayersModel: layersModel must be a tf.Sequential of Dense layers, got ${typeof model?.getClassName === 'function' ? model.getClassName() : String(model)}`,
    });
  }
  const dense = model.layers.filter((layer) => layer.getClassName() !== 'InputLayer');
  const fail = (layer: DenseLayerLike, reason: string): never => {
    throw new UnsupportedLayerError({
      layer: layer.name,
      index: model.layers.indexOf(layer),
      className: layer.getClassName(),
      reason,
    });
  };
  if (dense.length === 0) {
    throw new InvalidArgumentError({
      argument: 'layersModel',
      value: 0,
      message: 'fromLayersModel: the model has no layers',
    });
  }
  const rank = model.inputs?.[0]?.shape.length;
  if (rank !== undefined && rank !== 2) {
    fail(
      dense[0] as DenseLayerLike,
      `the model input has rank ${rank - 1} per example; an mlp takes flat vectors (flatten the input first)`,
    );
  }
  const sizes: number[] = [];
  const activations: string[] = [];
  const biases: boolean[] = [];
  for (const layer of dense) {
    if (layer.getClassName() !== 'Dense')
      fail(layer, `${layer.getClassName()} layers have no abs equivalent; only Dense layers map to an mlp`);
    const config = layer.getConfig();
    for (const option of UNSUPPORTED_OPTIONS) {
      if (config[option] != null)
        fail(layer, `${option} is not carried over (abs losses have no such term; use the optimiser's weightDecay)`);
    }
    const kernel = layer.getWeights()[0];
    if (kernel?.shape.length !== 2) {
      throw new InvalidArgumentError({
        argument: 'layersModel',
        value: layer.name,
        message: `fromLayersModel: layer '${layer.name}' has no kernel yet; build the model first (give the first layer an inputShape)`,
      });
    }
    if (sizes.length === 0) sizes.push(kernel.shape[0] as number);
    sizes.push(kernel.shape[1] as number);
    activations.push(String(config.activation ?? 'linear'));
    biases.push(config.useBias !== false);
  }
  const hidden = activations.slice(0, -1);
  hidden.forEach((name, l) => {
    if (HIDDEN[name] === undefined)
      fail(dense[l] as DenseLayerLike, `hidden activation '${name}' is not one of relu, tanh, sigmoid, linear`);
    if (name !== hidden[0])
      fail(
        dense[l] as DenseLayerLike,
        `hidden activation '${name}' differs from '${hidden[0]}' of the first layer; an abs mlp has one hidden activation`,
      );
  });
  biases.forEach((useBias, l) => {
    if (useBias !== biases[0])
      fail(
        dense[l] as DenseLayerLike,
        `useBias ${useBias} differs from the first layer's ${biases[0]}; an abs mlp uses biases in every layer or none`,
      );
  });
  const last = dense.at(-1) as DenseLayerLike;
  const output = activations.at(-1) as string;
  if (output !== 'linear' && output !== 'softmax') {
    fail(last, `output activation '${output}' is not supported: the output layer must be linear or softmax`);
  }
  if (output === 'softmax' && loss === 'mse') {
    fail(
      last,
      "a softmax output trains with softmax cross-entropy on its logits; loss 'mse' would act on the logits, not on the softmax",
    );
  }
  const resolvedLoss: Loss = output === 'softmax' ? 'softmax-cross-entropy' : (loss ?? 'mse');
  const activation = HIDDEN[hidden[0] ?? 'linear'] as Activation;
  return { spec: mlp(sizes, { activation, loss: resolvedLoss, bias: biases[0] as boolean }), dense };
}
