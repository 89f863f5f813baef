import {
  activation,
  avgPool2d,
  batchNorm,
  conv2d,
  dense,
  flatten,
  globalAvgPool2d,
  maxPool2d,
  mlp,
  relu,
  residual,
  sequential,
} from '@abs/core';
import { conformanceDataset } from '@abs/core/testing';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { UnsupportedLayerError } from '../errors/unsupported-layer-error';
import { loadTfjs } from '../test-support/load-tfjs';
import { fromLayersModel } from './from-layers-model';
import { type LayersModelLike, SUPPORTED_LAYERS } from './layers-graph';
import { specFromLayers } from './layers-spec';

const tf = await loadTfjs('cpu');
/** Keras's default kernel initialiser, which the specs record. */
const g = { init: 'glorot-uniform' } as const;
const { layers, sequential: stack } = tfl;
type AnyLayer = ReturnType<typeof layers.dense>;
const denseLayer = (units: number, activationName: string, extra: Record<string, unknown> = {}) =>
  layers.dense({ units, activation: activationName as never, ...extra });

/** The error `specFromLayers` throws for `net`. */
function errorFor(net: LayersModelLike, loss?: 'mse'): UnsupportedLayerError {
  try {
    specFromLayers(net, loss);
  } catch (error) {
    expect(UnsupportedLayerError.isInstance(error)).toBe(true);
    return error as UnsupportedLayerError;
  }
  throw new Error('expected an UnsupportedLayerError');
}

describe('specFromLayers', () => {
  it('reads dense stacks, their activations, bias and loss off the layers', () => {
    const net = stack({
      layers: [denseLayer(5, 'relu', { inputShape: [4], useBias: false }), denseLayer(2, 'linear', { useBias: false })],
    });
    expect(specFromLayers(net).spec).toEqual(
      mlp([4, 5, 2], { activation: 'relu', loss: 'mse', bias: false, init: g.init }),
    );
    expect(specFromLayers(net, 'softmax-cross-entropy').spec.loss).toBe('softmax-cross-entropy');
    net.dispose();
  });

  it('maps conv, pooling, batch norm, reshape, dropout and fused activations of a Sequential', () => {
    const net = stack({
      layers: [
        layers.reshape({ inputShape: [48], targetShape: [6, 4, 2] }),
        layers.conv2d({ filters: 3, kernelSize: [3, 2], strides: 1, padding: 'same', activation: 'tanh' }),
        layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3 }),
        layers.activation({ activation: 'relu' }),
        layers.maxPooling2d({ poolSize: 2 }),
        layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }),
        layers.conv2d({ filters: 2, kernelSize: 1, useBias: false }),
        layers.globalAveragePooling2d({}),
        layers.dropout({ rate: 0.5 }),
        denseLayer(3, 'softmax'),
      ],
    });
    const { spec, dropped, parameterised } = specFromLayers(net);
    expect(spec).toEqual(
      sequential(
        [6, 4, 2],
        [
          conv2d(3, [3, 2], g),
          activation('tanh'),
          batchNorm({ momentum: 0.9, epsilon: 1e-3 }),
          relu(),
          maxPool2d(2),
          avgPool2d(2, { strides: 1, padding: 'same' }),
          conv2d(2, 1, { padding: 'valid', bias: false, ...g }),
          globalAvgPool2d(),
          dense(3, g),
        ],
      ),
    );
    expect(dropped.map((l) => l.getClassName())).toEqual(['Dropout']);
    expect(parameterised.map((l) => l.getClassName())).toEqual(['Conv2D', 'BatchNormalization', 'Conv2D', 'Dense']);
    net.dispose();
  });

  it('reads a functional ResNet block as a residual with an identity or a projection shortcut', () => {
    const input = tfl.input({ shape: [6, 6, 2] });
    const stem = layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input);
    const a = layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(stem);
    const b = layers.batchNormalization().apply(a);
    const sum = layers.add().apply([stem, b] as never);
    const c = layers.activation({ activation: 'relu' }).apply(sum);
    const d = layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(c);
    const shortcut = layers.conv2d({ filters: 8, kernelSize: 1, strides: 2, useBias: false }).apply(c);
    const sum2 = layers.add().apply([shortcut, d] as never);
    const out = denseLayer(3, 'linear').apply(layers.flatten().apply(sum2));
    const net = tfl.model({ inputs: input, outputs: out as never });
    const { spec } = specFromLayers(net, 'softmax-cross-entropy');
    expect(spec).toEqual(
      sequential(
        [6, 6, 2],
        [
          conv2d(4, 3, g),
          relu(),
          residual([conv2d(4, 3, g), batchNorm({ momentum: 0.99, epsilon: 1e-3 })]),
          relu(),
          residual([conv2d(8, 3, { strides: 2, ...g }), relu()], {
            shortcut: [conv2d(8, 1, { strides: 2, padding: 'valid', bias: false, ...g })],
          }),
          flatten(),
          dense(3, g),
        ],
      ),
    );
    net.dispose();
  });

  it('names the layer it cannot map, its class, the reason and what is supported', () => {
    const input = tfl.input({ shape: [4] });
    const x = denseLayer(4, 'relu').apply(input);
    const three = layers.add().apply([x, denseLayer(4, 'relu').apply(x), denseLayer(4, 'relu').apply(x)] as never);
    const cases: [() => LayersModelLike, string, string][] = [
      [
        () => stack({ layers: [layers.leakyReLU({ inputShape: [4] }) as unknown as AnyLayer] }),
        'LeakyReLU',
        'LeakyReLU layers have no abs equivalent',
      ],
      [
        () => stack({ layers: [denseLayer(5, 'elu', { inputShape: [4] }), denseLayer(3, 'softmax')] }),
        'Dense',
        "activation 'elu' is not one of relu, tanh, sigmoid, linear (softmax at the output)",
      ],
      [
        () => stack({ layers: [denseLayer(5, 'softmax', { inputShape: [4] }), denseLayer(3, 'linear')] }),
        'Dense',
        'softmax is supported as the output activation only',
      ],
      [
        () =>
          stack({ layers: [denseLayer(3, 'linear', { inputShape: [4], kernelRegularizer: tfl.regularizers.l2() })] }),
        'Dense',
        "kernelRegularizer is not carried over (abs losses have no such term; use the optimiser's weightDecay)",
      ],
      [
        () => stack({ layers: [denseLayer(3, 'linear', { inputShape: [2, 4] })] }),
        'Dense',
        'the abs layer it maps to is invalid: dense needs a vector input, got [2, 4]: add flatten() or globalAvgPool2d() before it',
      ],
      [
        () =>
          stack({
            layers: [
              layers.conv2d({ inputShape: [5, 5, 1], filters: 2, kernelSize: 3, dilationRate: 2 }),
              layers.flatten(),
            ],
          }),
        'Conv2D',
        'dilationRate [2,2]: abs convolutions are not dilated',
      ],
      [
        () => stack({ layers: [layers.batchNormalization({ inputShape: [4], center: false })] }),
        'BatchNormalization',
        'center or scale is false: abs batch norm always learns both γ and β',
      ],
      [
        () => tfl.model({ inputs: input, outputs: three as never }),
        'Dense',
        'its output feeds 3 layers; a fork must be the two paths of a residual block',
      ],
    ];
    for (const [make, className, reason] of cases) {
      const net = make();
      const error = errorFor(net);
      expect(error.message).toContain(`(${className}, index`);
      expect(error.message).toContain(`is not supported: ${reason}`);
      expect(error.message).toContain(`Supported: ${SUPPORTED_LAYERS}`);
      expect(error.code).toBe('abs.unsupported-layer');
      expect(error.className).toBe(className);
    }
    const softmax = stack({ layers: [denseLayer(3, 'softmax', { inputShape: [4] })] });
    expect(errorFor(softmax, 'mse').reason).toContain("loss 'mse' would act on the logits");
  });

  it('rejects models that are not built LayersModels', async () => {
    expect(() => specFromLayers({} as LayersModelLike)).toThrow('fromLayersModel: layersModel must be a tf.Sequential');
    expect(() => specFromLayers(stack())).toThrow(
      'fromLayersModel: the model must be built with one input and one output',
    );
    const dataset = conformanceDataset({ size: 4, width: 4, classes: 2, seed: 1 });
    await expect(fromLayersModel({ tf, layersModel: stack(), dataset })).rejects.toMatchObject({
      code: 'abs.invalid-argument',
    });
  });
});
