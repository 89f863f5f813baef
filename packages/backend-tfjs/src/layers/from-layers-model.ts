/**
 * `fromLayersModel`: brings a user's existing tfjs-layers model (`tf.sequential` or functional
 * `tf.model`) into abs. The spec is read off the layers, the compiled model starts from the
 * layers' current weights and batch-norm moving averages, and `writeBack()` puts the abs model's
 * weights and running averages into the user's layers, which share the tensors' data (no copy),
 * so the user keeps predicting, saving and training with their own model.
 */
import type { Dataset, Loss, Model, ModelSpec } from '@abs/core';
import type { TfjsBackendOptions } from '../resolve-tfjs-backend-config';
import { type TfjsBackend, tfjsBackend } from '../tfjs-backend';
import type { Tensor } from '../tfjs-namespace';
import { readFloat32 } from '../tfjs-tensor-ops';
import type { LayersModelLike } from './layers-graph';
import { specFromLayers } from './layers-spec';

export interface FromLayersModelOptions extends TfjsBackendOptions {
  /** A built `tf.sequential` or functional `tf.model` (see the README for the layers it maps). */
  readonly layersModel: LayersModelLike;
  /**
   * The data the compiled model trains on. A model that starts with a Reshape of a vector to an
   * image also takes a dataset of flat rows of that size (read as the image, row-major).
   */
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
  /** Names of the Dropout layers left out: abs trains without dropout (see the README). */
  readonly dropped: readonly string[];
  /**
   * Sets the layers' weights to the abs model's current parameters (synchronously, before the
   * promise) and their batch-norm moving averages to its running averages (after a read).
   */
  writeBack(): Promise<void>;
}

/**
 * @param options `tf`, the `layersModel` to bring in, the `dataset` to bind, and `loss` for a linear output
 * @example
 * const net = tf.sequential({ layers: [
 *   tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
 *   tf.layers.maxPooling2d({ poolSize: 2 }),
 *   tf.layers.flatten(),
 *   tf.layers.dense({ units: 10, activation: 'softmax' }),
 * ] });
 * const { model, writeBack } = await fromLayersModel({ tf, layersModel: net, dataset: data.train });
 * await train(model, cabs({ learningRate: 0.1 }), { steps: 1000 });
 * await writeBack(); // net.predict(x) now uses the trained weights
 */
export async function fromLayersModel(options: FromLayersModelOptions): Promise<LayersModelBinding> {
  const { spec, parameterised, dropped } = specFromLayers(options.layersModel, options.loss);
  const backend = tfjsBackend(options);
  const weights = parameterised.map((layer) => layer.getWeights());
  const isNorm = (l: number) => parameterised[l]?.getClassName() === 'BatchNormalization';
  const parameters = await Promise.all(
    weights.flatMap((list, l) => (isNorm(l) ? list.slice(0, 2) : list)).map(readFloat32),
  );
  const buffers = await Promise.all(weights.flatMap((list, l) => (isNorm(l) ? list.slice(2, 4) : [])).map(readFloat32));
  const { dataset } = options;
  const image = spec.inputShape.length === 3 && dataset.featureShape.length === 1;
  const bound = image ? { ...dataset, featureShape: [...spec.inputShape] } : dataset;
  const model = await backend.compile(spec, bound, { parameters });
  if (buffers.length > 0) model.writeBuffers?.(buffers);
  const { tf } = options;
  return {
    spec,
    backend,
    model,
    dropped: dropped.map((layer) => layer.name),
    async writeBack() {
      const own = (l: number) => (model.layers[l]?.parameters ?? []).map((i) => model.parameters[i] as Tensor);
      parameterised.forEach((layer, l) => {
        if (!isNorm(l)) layer.setWeights(own(l));
      });
      if (!parameterised.some((_, l) => isNorm(l))) return;
      const running = await (model.readBuffers?.() ?? Promise.resolve([]));
      const info = model.bufferInfo ?? [];
      parameterised.forEach((layer, l) => {
        if (!isNorm(l)) return;
        const averages = info.flatMap((b, k) =>
          b.layer === l ? [tf.tensor(running[k] as Float32Array, [...b.shape])] : [],
        );
        layer.setWeights([...own(l), ...averages]);
        tf.dispose(averages);
      });
    },
  };
}
