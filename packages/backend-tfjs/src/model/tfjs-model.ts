/**
 * core's `Model` over `tf.Tensor` for `mlp` specs. The model owns its parameter tensors
 * (`setParameters` takes the new ones over and disposes the replaced ones) and a reference
 * to the dataset tensors, uploaded once and shared per dataset; `dispose` frees both.
 */
import {
  CAPABILITIES,
  type Capability,
  checkShapes,
  checkSpecMatchesDataset,
  type Dataset,
  denseStack,
  describeSpec,
  featureSize,
  type Model,
  type ModelSpec,
  resolveSgdStep,
  ShapeMismatchError,
  type TensorOps,
} from '@abs/core';
import type { Tensor, Tensor2D, TensorFlow } from '../tfjs-namespace';
import { readFloat32 } from '../tfjs-tensor-ops';
import type { DatasetCache } from './dataset-tensors';
import { createDenseMath, type KernelChoices } from './dense-math';
import { createDensePass } from './dense-pass';
import { evaluateOnDevice } from './evaluate';

/** Every capability of the contract, for every `mlp` spec. */
export const TFJS_CAPABILITIES: ReadonlySet<Capability> = new Set(CAPABILITIES);

export interface TfjsModelOptions {
  readonly tf: TensorFlow;
  readonly name: string;
  readonly ops: TensorOps<Tensor>;
  readonly kernels: KernelChoices;
  readonly datasets: DatasetCache;
  readonly parameters: readonly Float32Array[];
  readonly compileSibling: Model<Tensor>['compileSibling'];
}

export function createTfjsModel(spec: ModelSpec, dataset: Dataset, options: TfjsModelOptions): Model<Tensor> {
  const { tf, name, ops } = options;
  checkSpecMatchesDataset(spec, dataset);
  const stack = denseStack(spec, name);
  const { parameters: parameterInfo, layers } = describeSpec(spec);
  const shapes = parameterInfo.map((p) => p.shape);
  const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  const checkValues = (what: string, values: readonly Float32Array[]) =>
    checkShapes(
      what,
      shapes,
      values.map((v, i) => (shapes[i] && v.length === sizeOf(shapes[i]) ? shapes[i] : [v.length])),
    );
  checkValues('parameters', options.parameters);
  const upload = (values: readonly Float32Array[]) => values.map((v, i) => ops.fromArray(v, shapes[i] as number[]));

  const data = options.datasets.acquire(dataset, spec.loss, stack.layerSizes.at(-1) as number);
  let parameters: Tensor[] = upload(options.parameters);
  const replaceParameters = (next: Tensor[]) => {
    for (const p of parameters) if (!next.includes(p)) p.dispose();
    for (const p of next) tf.keep(p);
    parameters = next;
  };
  const math = createDenseMath(tf, options.kernels);
  const pass = createDensePass(tf, stack, layers, math);
  const width = featureSize(dataset);
  const context = {
    tf,
    name,
    layers,
    shapes,
    datasetSize: dataset.size,
    data: () => data,
    parameters: () => parameters,
    pass,
    math,
  };

  return {
    specificationVersion: 'abs-model-v1',
    backend: name,
    ops,
    spec,
    dataset,
    capabilities: TFJS_CAPABILITIES,
    parameterInfo,
    layers,
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
      checkValues('writeParameters', values);
      replaceParameters(upload(values));
    },
    evaluate: (batch, request = {}) => evaluateOnDevice(context, batch, request),
    async sgdStep(batch, step, request = {}) {
      const { learningRate, weightDecay } = resolveSgdStep(step, `${name}.sgdStep`);
      const { batchSize: _, ...result } = await evaluateOnDevice(
        context,
        batch,
        {
          perExampleLoss: request.perExampleLoss === true,
          gradient: true,
          secondMoment: request.secondMoment === true,
          gram: request.gram === true,
        },
        'sgdStep',
      );
      const gradient = result.gradient as Tensor[];
      // θ' = θ·(1 − ηλ) − ∇·η and ‖∇‖² on the device; only the norm is read back.
      const [norm, next] = tf.tidy(() => {
        const squares = tf.addN(gradient.map((g) => tf.sum(tf.square(g))));
        const keep = 1 - learningRate * weightDecay;
        const updated = parameters.map((p, i) =>
          tf.sub(weightDecay > 0 ? tf.mul(p, keep) : p, tf.mul(gradient[i] as Tensor, learningRate)),
        );
        return [squares, updated] as [Tensor, Tensor[]];
      });
      let gradientNormSquared: number;
      try {
        gradientNormSquared = (await norm.data())[0] as number;
      } catch (error) {
        for (const t of [...next, ...gradient, ...(result.secondMoment ?? [])]) t.dispose();
        throw error;
      } finally {
        norm.dispose();
      }
      const applied = Number.isFinite(result.loss) && Number.isFinite(gradientNormSquared);
      if (applied) replaceParameters(next);
      else for (const t of next) t.dispose();
      if (request.gradient === true) return { ...result, gradientNormSquared, applied };
      for (const g of gradient) g.dispose();
      const { gradient: __, ...statistics } = result;
      return { ...statistics, gradientNormSquared, applied };
    },
    async predict(features, count) {
      if (features.length !== count * width) {
        throw new ShapeMismatchError({ what: 'predict features', expected: [count, width], actual: [features.length] });
      }
      const z = tf.tidy(
        () => pass.forward(parameters, tf.tensor2d(features, [count, width], 'float32')).at(-1) as Tensor2D,
      );
      try {
        return await readFloat32(z);
      } finally {
        z.dispose();
      }
    },
    compileSibling: options.compileSibling,
    dispose() {
      for (const p of parameters) p.dispose();
      parameters = [];
      data.release();
    },
  };
}
