/**
 * core's `Model` over `tf.Tensor` for every sequential spec. The model owns its parameter
 * tensors (`setParameters` takes the new ones over and disposes the replaced ones), its
 * batch-norm running averages, and a reference to the dataset tensors, uploaded once and
 * shared per dataset; `dispose` frees them all. A model with batch norm has the reduced
 * capability set (no per-example statistics, see `modelCapabilities`).
 */
import {
  CAPABILITIES,
  type Capability,
  checkPredictInput,
  checkShapes,
  checkSpecMatchesDataset,
  type Dataset,
  describeSpec,
  featureSize,
  initializeBuffers,
  type Model,
  type ModelSpec,
  modelCapabilities,
  type TensorOps,
} from '@abs/core';
import type { Tensor, TensorFlow } from '../tfjs-namespace';
import { readFloat32 } from '../tfjs-tensor-ops';
import type { DatasetCache } from './dataset-tensors';
import { createDenseMath, type KernelChoices } from './dense-math';
import { evaluateOnDevice } from './evaluate';
import { buildNodes } from './layers/build-nodes';
import type { StatisticsOptions } from './linear-statistics';
import { createNetworkPass } from './network-pass';
import { sgdStepOnDevice } from './sgd-step';

/** Every capability of the contract (a model with batch norm drops the per-example ones). */
export const TFJS_CAPABILITIES: ReadonlySet<Capability> = new Set(CAPABILITIES);

export interface TfjsModelOptions {
  readonly tf: TensorFlow;
  readonly name: string;
  readonly ops: TensorOps<Tensor>;
  readonly kernels: KernelChoices;
  readonly statistics: StatisticsOptions;
  readonly datasets: DatasetCache;
  readonly parameters: readonly Float32Array[];
  readonly compileSibling: Model<Tensor>['compileSibling'];
}

export function createTfjsModel(spec: ModelSpec, dataset: Dataset, options: TfjsModelOptions): Model<Tensor> {
  const { tf, name, ops } = options;
  checkSpecMatchesDataset(spec, dataset);
  const { parameters: parameterInfo, layers, buffers: bufferInfo, inputShape, outputShape } = describeSpec(spec);
  const capabilities = modelCapabilities(spec, TFJS_CAPABILITIES);
  const shapes = parameterInfo.map((p) => p.shape);
  const bufferShapes = bufferInfo.map((b) => b.shape);
  const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  const checkValues = (what: string, expected: readonly (readonly number[])[], values: readonly Float32Array[]) =>
    checkShapes(
      what,
      expected,
      values.map((v, i) => (expected[i] && v.length === sizeOf(expected[i]) ? expected[i] : [v.length])),
    );
  checkValues('parameters', shapes, options.parameters);
  const upload = (values: readonly Float32Array[], to: readonly (readonly number[])[]) =>
    values.map((v, i) => ops.fromArray(v, to[i] as number[]));

  const outputs = outputShape[0] as number;
  const data = options.datasets.acquire(dataset, spec.loss, outputs);
  let parameters: Tensor[] = upload(options.parameters, shapes);
  let buffers: Tensor[] = upload(initializeBuffers(spec), bufferShapes);
  const replace = (current: Tensor[], next: Tensor[]) => {
    for (const p of current) if (!next.includes(p)) p.dispose();
    for (const p of next) tf.keep(p);
    return next;
  };
  const replaceParameters = (next: Tensor[]) => {
    parameters = replace(parameters, next);
  };
  const math = createDenseMath(tf, options.kernels);
  const pass = createNetworkPass({
    tf,
    math,
    network: buildNodes({ tf, math }, spec),
    layers,
    inputShape,
    loss: spec.loss,
    statistics: options.statistics,
  });
  const width = featureSize(dataset);
  const context = {
    tf,
    name,
    spec,
    capabilities,
    layers,
    shapes,
    outputs,
    datasetSize: dataset.size,
    data: () => data,
    parameters: () => parameters,
    buffers: () => buffers,
    commitBuffers: (staged: Tensor[]) => {
      buffers = replace(buffers, staged);
    },
    pass,
    replaceParameters,
  };

  return {
    specificationVersion: 'abs-model-v1',
    backend: name,
    ops,
    spec,
    dataset,
    capabilities,
    parameterInfo,
    layers,
    bufferInfo,
    get parameters() {
      return parameters;
    },
    setParameters(next) {
      checkShapes(
        'setParameters',
        shapes,
        next.map((p) => p.shape),
      );
      replaceParameters([...next]);
    },
    readParameters: () => Promise.all(parameters.map(readFloat32)),
    writeParameters(values) {
      checkValues('writeParameters', shapes, values);
      replaceParameters(upload(values, shapes));
    },
    readBuffers: () => Promise.all(buffers.map(readFloat32)),
    writeBuffers(values) {
      checkValues('writeBuffers', bufferShapes, values);
      buffers = replace(buffers, upload(values, bufferShapes));
    },
    evaluate: (batch, request = {}) => evaluateOnDevice(context, batch, request),
    sgdStep: (batch, step, request = {}) => sgdStepOnDevice(context, batch, step, request),
    async predict(features, count) {
      const n = checkPredictInput(features, count, width, `${name}.predict`);
      const z = tf.tidy(() => pass.predict(parameters, buffers, tf.tensor2d(features, [n, width], 'float32')));
      try {
        return await readFloat32(z);
      } finally {
        z.dispose();
      }
    },
    compileSibling: options.compileSibling,
    dispose() {
      for (const t of [...parameters, ...buffers]) t.dispose();
      parameters = [];
      buffers = [];
      data.release();
    },
  };
}
