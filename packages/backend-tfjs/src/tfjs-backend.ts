/**
 * `tfjsBackend({ tf })`: one adapter for every TensorFlow.js backend. It takes the namespace
 * the user imported (tfjs-core with cpu, wasm, webgl or webgpu registered; tfjs-node;
 * tfjs-node-gpu), imports no backend, registers nothing and switches nothing: the models run
 * on whatever backend that namespace has active.
 */
import {
  type Backend,
  BackendUnavailableError,
  type CompileOptions,
  type Dataset,
  initializeParameters,
  type Model,
  type ModelSpec,
  validateDataset,
} from '@abs/core';
import { createDeferredTfjsBackend } from './deferred-tfjs-backend';
import { createDatasetCache } from './model/dataset-tensors';
import { createTfjsModel, TFJS_CAPABILITIES } from './model/tfjs-model';
import {
  awaitsTfjsReady,
  resolveTfjsBackendConfig,
  type TfjsBackendConfig,
  type TfjsBackendOptions,
} from './resolve-tfjs-backend-config';
import type { Tensor } from './tfjs-namespace';
import { createTfjsTensorOps } from './tfjs-tensor-ops';

/** core's `Backend` over `tf.Tensor`, plus the tfjs backend it runs on. */
export interface TfjsBackend extends Backend<Tensor> {
  /** The tfjs backend active when this was created, e.g. `'wasm'`, `'cpu'`, `'tensorflow'`. */
  readonly tfBackend: string;
  compile(spec: ModelSpec, dataset: Dataset, options?: CompileOptions): Promise<Model<Tensor>>;
}

/** @internal Builds the backend from a resolved configuration (the benchmark overrides `kernels`). */
export function createTfjsBackend(config: TfjsBackendConfig): TfjsBackend {
  const { tf, name } = config;
  const ops = createTfjsTensorOps(tf, name);
  const datasets = createDatasetCache(tf);
  const backend: TfjsBackend = {
    specificationVersion: 'abs-backend-v1',
    name,
    tfBackend: config.tfBackend,
    ops,
    capabilities: TFJS_CAPABILITIES,
    async compile(spec, dataset, compileOptions = {}) {
      const active = tf.getBackend();
      if (active !== config.tfBackend) {
        throw new BackendUnavailableError({
          backend: name,
          reason: `the active tfjs backend changed from '${config.tfBackend}' to '${active}' since tfjsBackend() was called; create a new tfjsBackend({ tf })`,
        });
      }
      validateDataset(dataset);
      const parameters = compileOptions.parameters ?? initializeParameters(spec, compileOptions.seed ?? 0);
      return createTfjsModel(spec, dataset, {
        tf,
        name,
        ops,
        kernels: config.kernels,
        statistics: config.statistics,
        datasets,
        parameters,
        compileSibling: backend.compile,
      });
    },
  };
  return backend;
}

/**
 * A backend for the TensorFlow.js namespace you pass; its name is `tfjs-<tf.getBackend()>`.
 * A namespace that has not started a backend yet (`@tensorflow/tfjs` as imported) is started
 * by the first `compile`, which awaits `tf.ready()`.
 * @param options `tf`: your namespace; `name`: optional override
 * @example
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-cpu';
 * await tf.setBackend('cpu');
 * const model = await tfjsBackend({ tf }).compile(mlp([784, 128, 10]), data.train, { seed: 1 });
 * model.backend; // 'tfjs-cpu'
 */
export function tfjsBackend(options: TfjsBackendOptions): TfjsBackend {
  if (awaitsTfjsReady(options?.tf)) return createDeferredTfjsBackend(options, createTfjsBackend);
  return createTfjsBackend(resolveTfjsBackendConfig(options));
}
