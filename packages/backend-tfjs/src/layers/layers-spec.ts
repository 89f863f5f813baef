/**
 * Reads an abs sequential spec off a tfjs-layers model (see `layers-graph.ts` for the graph).
 * Kernels are `[in, out]` (Dense) and `[kh, kw, in, filters]` (Conv2D) in both worlds, so weights
 * map one to one; a layer's fused activation becomes an activation layer after it. The output
 * activation is linear, or softmax, which maps to softmax cross-entropy on the logits (the abs
 * model outputs the logits, the tfjs model their softmax). Dropout layers are dropped: abs has
 * no dropout, so training through abs runs the network without it, which is what the tfjs model
 * computes at inference anyway. Structural types only, so this package needs no tfjs-layers.
 */
import {
  type Activation,
  activation,
  avgPool2d,
  batchNorm,
  conv2d,
  dense,
  flatten,
  globalAvgPool2d,
  InvalidArgumentError,
  InvalidModelSpecError,
  type LayerSpec,
  type Loss,
  type ModelSpec,
  maxPool2d,
  type Padding,
  residual,
  sequential,
} from '@abs/core';
import { type GraphStep, graphSteps, type LayerLike, type LayersModelLike, unsupported } from './layers-graph';

const ACTIVATIONS: Readonly<Record<string, Activation>> = {
  relu: 'relu',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  linear: 'identity',
};

/** Keras's default kernel initialiser; recorded in the spec, unused (weights come from the layers). */
const KERAS_INIT = 'glorot-uniform';

export interface LayersSpec {
  readonly spec: ModelSpec;
  /** The tfjs layer of each parameterised abs layer (`model.layers` order). */
  readonly parameterised: readonly LayerLike[];
  /** Dropout layers left out of the spec. */
  readonly dropped: readonly LayerLike[];
}

const pair = (value: unknown): [number, number] =>
  (Array.isArray(value) ? [value[0], value[1] ?? value[0]] : [value, value]) as [number, number];

/**
 * @param model a built `tf.sequential` or `tf.model`
 * @param loss the loss for a linear output layer (default `'mse'`)
 */
export function specFromLayers(model: LayersModelLike, loss?: Loss): LayersSpec {
  const className = typeof model?.getClassName === 'function' ? model.getClassName() : undefined;
  if (className === undefined || !Array.isArray(model.layers)) {
    throw new InvalidArgumentError({
      argument: 'layersModel',
      value: model,
      message: `fromLayersModel: layersModel must be a tf.Sequential or a functional tf.LayersModel, got ${String(model)}`,
    });
  }
  const inputShape = model.inputs?.[0]?.shape.slice(1);
  if ((model.inputs?.length ?? 0) !== 1 || (model.outputs?.length ?? 1) !== 1 || !inputShape) {
    throw new InvalidArgumentError({
      argument: 'layersModel',
      value: model.inputs?.length ?? 0,
      message: `fromLayersModel: the model must be built with one input and one output (give the first layer an inputShape), got ${model.inputs?.length ?? 0} inputs and ${model.outputs?.length ?? 0} outputs`,
    });
  }
  const steps = graphSteps(model);
  if (steps.length === 0) {
    throw new InvalidArgumentError({
      argument: 'layersModel',
      value: 0,
      message: 'fromLayersModel: the model has no layers',
    });
  }
  const parameterised: LayerLike[] = [];
  const dropped: LayerLike[] = [];
  const origin = new Map<string, LayerLike>();
  let shape = inputShape as number[];
  let softmax = false;
  const outputLayer = (() => {
    const last = steps.at(-1) as GraphStep;
    return last.kind === 'layer' ? last.layer : last.add;
  })();

  const activationOf = (layer: LayerLike, name: string): LayerSpec[] => {
    if (name === 'linear') return [];
    if (name === 'softmax' && layer === outputLayer) {
      softmax = true;
      return [];
    }
    if (name === 'softmax') {
      unsupported(model, layer, 'softmax is supported as the output activation only (abs trains on the logits)');
    }
    const mapped = ACTIVATIONS[name];
    if (!mapped)
      unsupported(
        model,
        layer,
        `activation '${name}' is not one of relu, tanh, sigmoid, linear (softmax at the output)`,
      );
    return [activation(mapped as Activation)];
  };

  const convert = (layer: LayerLike, first: boolean): LayerSpec[] => {
    const config = layer.getConfig();
    const kind = layer.getClassName();
    for (const [key, value] of Object.entries(config)) {
      if ((key.endsWith('Regularizer') || key.endsWith('Constraint')) && value != null) {
        unsupported(
          model,
          layer,
          `${key} is not carried over (abs losses have no such term; use the optimiser's weightDecay)`,
        );
      }
    }
    if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') {
      unsupported(model, layer, `dataFormat '${String(config.dataFormat)}': abs images are channels-last (NHWC)`);
    }
    const padding = () => {
      if (config.padding !== 'same' && config.padding !== 'valid')
        unsupported(model, layer, `padding '${String(config.padding)}' is not 'same' or 'valid'`);
      return config.padding as Padding;
    };
    const withParameters = (spec: LayerSpec) => {
      parameterised.push(layer);
      return spec;
    };
    switch (kind) {
      case 'Dense':
        return [
          withParameters(dense(config.units as number, { bias: config.useBias !== false, init: KERAS_INIT })),
          ...activationOf(layer, String(config.activation ?? 'linear')),
        ];
      case 'Conv2D': {
        if (pair(config.dilationRate ?? 1).some((d) => d !== 1)) {
          unsupported(
            model,
            layer,
            `dilationRate ${JSON.stringify(config.dilationRate)}: abs convolutions are not dilated`,
          );
        }
        const spec = conv2d(config.filters as number, pair(config.kernelSize), {
          strides: pair(config.strides ?? 1),
          padding: padding(),
          bias: config.useBias !== false,
          init: KERAS_INIT,
        });
        return [withParameters(spec), ...activationOf(layer, String(config.activation ?? 'linear'))];
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const size = pair(config.poolSize ?? 2);
        const options = { strides: pair(config.strides ?? size), padding: padding() };
        return [kind === 'MaxPooling2D' ? maxPool2d(size, options) : avgPool2d(size, options)];
      }
      case 'GlobalAveragePooling2D':
        return [globalAvgPool2d()];
      case 'Flatten':
        return [flatten()];
      case 'Activation':
        return activationOf(layer, String(config.activation));
      case 'Dropout':
        dropped.push(layer);
        return [];
      case 'BatchNormalization': {
        const axis = Array.isArray(config.axis) ? config.axis : [config.axis ?? -1];
        if (axis.length !== 1 || (axis[0] !== -1 && axis[0] !== shape.length)) {
          unsupported(model, layer, `axis ${JSON.stringify(config.axis)}: abs normalises the channels (the last axis)`);
        }
        if (config.center === false || config.scale === false) {
          unsupported(model, layer, 'center or scale is false: abs batch norm always learns both γ and β');
        }
        const spec = batchNorm({ momentum: config.momentum as number, epsilon: config.epsilon as number });
        return [withParameters(spec)];
      }
      case 'Reshape': {
        const target = (config.targetShape as number[]) ?? [];
        if (target.length === 1) return [flatten()];
        if (first && shape.length === 1 && target.length === 3) {
          shape = target;
          return [];
        }
        return unsupported(
          model,
          layer,
          `reshape to [${target.join(', ')}] is supported only as the first layer, from a vector input to an image [height, width, channels]`,
        );
      }
      default:
        return unsupported(model, layer, `${kind} layers have no abs equivalent`);
    }
  };

  const toSpecs = (list: readonly GraphStep[], prefix: string, top: boolean): LayerSpec[] => {
    const specs: LayerSpec[] = [];
    list.forEach((step, i) => {
      if (step.kind === 'residual') {
        origin.set(`${prefix}[${specs.length}]`, step.add);
        const block = toSpecs(step.block, `${prefix}[${specs.length}].block`, false);
        const shortcut = toSpecs(step.shortcut, `${prefix}[${specs.length}].shortcut`, false);
        specs.push(residual(block, { shortcut }));
        return;
      }
      for (const spec of convert(step.layer, top && i === 0)) {
        origin.set(`${prefix}[${specs.length}]`, step.layer);
        specs.push(spec);
      }
    });
    return specs;
  };
  const layers = toSpecs(steps, 'layers', true);
  if (softmax && loss === 'mse') {
    unsupported(
      model,
      outputLayer,
      "a softmax output trains with softmax cross-entropy on its logits; loss 'mse' would act on the logits, not on the softmax",
    );
  }
  try {
    const spec = sequential(shape, layers, { loss: softmax ? 'softmax-cross-entropy' : (loss ?? 'mse') });
    return { spec, parameterised, dropped };
  } catch (error) {
    if (!InvalidModelSpecError.isInstance(error)) throw error;
    const layer = origin.get(error.layer) ?? outputLayer;
    return unsupported(
      model,
      layer,
      `the abs layer it maps to is invalid: ${error.message.replace(/^model spec[^:]*: /, '')}`,
    );
  }
}
