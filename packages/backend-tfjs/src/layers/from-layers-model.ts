/**
 * `fromLayersModel`: brings a user's existing `tf.Sequential` of Dense layers into abs. The
 * spec is read off the layers, the compiled model starts from the layers' current weights, and
 * `writeBack()` puts the abs model's weights into the user's layers, which share the tensors'
 * data (no copy), so the user keeps predicting, saving and training with their own model.
 */
import { type Dataset, denseStack, type Loss, type Model, type ModelSpec } from '@abs/core';
import type { TfjsBackendOptions } from '../resolve-tfjs-backend-config';
import { type TfjsBackend, tfjsBackend } from '../tfjs-backend';
import type { Tensor } from '../tfjs-namespace';
import { readFloat32 } from '../tfjs-tensor-ops';
import { type SequentialLike, specFromLayers } from './layers-spec';

export interface FromLayersModelOptions extends TfjsBackendOptions {
  /** A built `tf.Sequential` of Dense layers (relu/tanh/sigmoid/linear hidden, linear or softmax output). */
  readonly layersModel: SequentialLike;
  /** The data the compiled model trains on. */
  readonly dataset: Dataset;
  /**
   * Loss for a linear output layer (default `'mse'`; `'softmax-cross-entropy'` treats the
   * outputs as logits). A softmax output layer always means softmax cross-entropy.
   */
  readonly loss?: Loss;
}

export interface LayersModelBinding {
  readonly spec: ModelSpec;
  readonly backend: TfjsBackend;
  /** The abs model, starting from the layers' weights; train it with any abs algorithm. */
  readonly model: Model<Tensor>;
  /** Sets the layers' weights to the abs model's current parameters. */
  writeBack(): void;
}

/**
 * @param options `tf`, the `layersModel` to bring in, the `dataset` to bind, and `loss` for a linear output
 * @example
 * const net = tf.sequential({ layers: [
 *   tf.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
 *   tf.layers.dense({ units: 10, activation: 'softmax' }),
 * ] });
 * const { model, writeBack } = await fromLayersModel({ tf, layersModel: net, dataset: data.train });
 * model.spec.loss; // 'softmax-cross-entropy'
 * await train(model, cabs({ learningRate: 0.1 }), { steps: 1000 });
 * writeBack(); // net.predict(x) now uses the trained weights
 */
export async function fromLayersModel(options: FromLayersModelOptions): Promise<LayersModelBinding> {
  const { spec, dense } = specFromLayers(options.layersModel, options.loss);
  const backend = tfjsBackend(options);
  const weights = dense.flatMap((layer) =>
    layer.getWeights().slice(0, denseStack(spec, 'fromLayersModel').bias ? 2 : 1),
  );
  const parameters = await Promise.all(weights.map(readFloat32));
  const model = await backend.compile(spec, options.dataset, { parameters });
  return {
    spec,
    backend,
    model,
    writeBack() {
      dense.forEach((layer, l) => {
        const indices = model.layers[l]?.parameters ?? [];
        layer.setWeights(indices.map((i) => model.parameters[i] as Tensor));
      });
    },
  };
}
