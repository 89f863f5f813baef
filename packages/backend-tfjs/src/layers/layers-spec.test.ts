import { mlp } from '@abs/core';
import { conformanceDataset } from '@abs/core/testing';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { UnsupportedLayerError } from '../errors/unsupported-layer-error';
import { loadTfjs } from '../test-support/load-tfjs';
import { fromLayersModel } from './from-layers-model';
import { type SequentialLike, specFromLayers } from './layers-spec';

const tf = await loadTfjs('cpu');
const { layers, sequential } = tfl;
const dense = (units: number, activation: string, extra: Record<string, unknown> = {}) =>
  layers.dense({ units, activation: activation as never, ...extra });

/** The error `specFromLayers` throws for a model built from `list` (first layer gets inputShape [4]). */
function errorFor(list: ReturnType<typeof dense>[], loss?: 'mse'): UnsupportedLayerError {
  const net = sequential({ layers: list });
  try {
    specFromLayers(net, loss);
  } catch (error) {
    net.dispose();
    expect(UnsupportedLayerError.isInstance(error)).toBe(true);
    return error as UnsupportedLayerError;
  }
  throw new Error('expected an UnsupportedLayerError');
}

describe('specFromLayers', () => {
  it('reads sizes, the hidden activation, bias and loss off the layers', () => {
    const net = sequential({
      layers: [dense(5, 'relu', { inputShape: [4], useBias: false }), dense(2, 'linear', { useBias: false })],
    });
    expect(specFromLayers(net).spec).toEqual(mlp([4, 5, 2], { activation: 'relu', loss: 'mse', bias: false }));
    expect(specFromLayers(net, 'softmax-cross-entropy').spec.loss).toBe('softmax-cross-entropy');
    net.dispose();
    const single = sequential({ layers: [dense(3, 'softmax', { inputShape: [4] })] });
    expect(specFromLayers(single).spec).toEqual(mlp([4, 3], { activation: 'identity' }));
    single.dispose();
  });

  it('names the layer it cannot map, with the reason', () => {
    const cases: [() => UnsupportedLayerError, string][] = [
      [
        () =>
          errorFor([
            dense(5, 'relu', { inputShape: [4] }),
            layers.dropout({ rate: 0.5 }) as never,
            dense(3, 'softmax'),
          ]),
        "layer 'dropout_Dropout1' (Dropout, index 1) is not supported: Dropout layers have no abs equivalent; only Dense layers map to an mlp",
      ],
      [
        () => errorFor([dense(5, 'elu', { inputShape: [4] }), dense(3, 'softmax')]),
        "(Dense, index 0) is not supported: hidden activation 'elu' is not one of relu, tanh, sigmoid, linear",
      ],
      [
        () => errorFor([dense(5, 'relu', { inputShape: [4] }), dense(5, 'tanh'), dense(3, 'softmax')]),
        "(Dense, index 1) is not supported: hidden activation 'tanh' differs from 'relu' of the first layer; an abs mlp has one hidden activation",
      ],
      [
        () => errorFor([dense(5, 'relu', { inputShape: [4] }), dense(3, 'sigmoid')]),
        "(Dense, index 1) is not supported: output activation 'sigmoid' is not supported: the output layer must be linear or softmax",
      ],
      [
        () => errorFor([dense(5, 'relu', { inputShape: [4] }), dense(3, 'linear', { useBias: false })]),
        "(Dense, index 1) is not supported: useBias false differs from the first layer's true; an abs mlp uses biases in every layer or none",
      ],
      [
        () => errorFor([dense(5, 'relu', { inputShape: [4] }), dense(3, 'softmax')], 'mse'),
        "(Dense, index 1) is not supported: a softmax output trains with softmax cross-entropy on its logits; loss 'mse' would act on the logits, not on the softmax",
      ],
      [
        () => errorFor([dense(3, 'linear', { inputShape: [4], kernelRegularizer: tfl.regularizers.l2() })]),
        "(Dense, index 0) is not supported: kernelRegularizer is not carried over (abs losses have no such term; use the optimiser's weightDecay)",
      ],
      [
        () => errorFor([dense(3, 'linear', { inputShape: [2, 4] })]),
        '(Dense, index 0) is not supported: the model input has rank 2 per example; an mlp takes flat vectors (flatten the input first)',
      ],
    ];
    for (const [make, message] of cases) {
      const error = make();
      expect(error.message).toContain(message);
      expect(error.code).toBe('abs.unsupported-layer');
      expect(error.className).toBe(message.match(/\((\w+), index/)?.[1] ?? 'Dropout');
    }
  });

  it('rejects models that are not a built Sequential', async () => {
    const input = tfl.input({ shape: [4] });
    const functional = tfl.model({ inputs: input, outputs: dense(2, 'linear').apply(input) as never });
    expect(() => specFromLayers(functional as unknown as SequentialLike)).toThrow(
      'fromLayersModel: layersModel must be a tf.Sequential of Dense layers, got Model',
    );
    // tfjs-layers insists on an inputShape, so a weightless Dense only comes from a look-alike.
    const unbuilt: SequentialLike = {
      getClassName: () => 'Sequential',
      layers: [
        { name: 'd', getClassName: () => 'Dense', getConfig: () => ({}), getWeights: () => [], setWeights() {} },
      ],
    };
    expect(() => specFromLayers(unbuilt)).toThrow(
      "fromLayersModel: layer 'd' has no kernel yet; build the model first (give the first layer an inputShape)",
    );
    expect(() => specFromLayers(sequential())).toThrow('fromLayersModel: the model has no layers');
    const dataset = conformanceDataset({ size: 4, width: 4, classes: 2, seed: 1 });
    await expect(fromLayersModel({ tf, layersModel: unbuilt, dataset })).rejects.toMatchObject({
      code: 'abs.invalid-argument',
    });
    functional.dispose();
  });
});
