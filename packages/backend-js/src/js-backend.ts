/**
 * `jsBackend()`: the zero-dependency reference backend. Clear, float64-accumulating
 * TypeScript that answers every capability of the Model interface; the oracle other
 * backends are tested against.
 */
import { type Backend, createHostTensorOps, type HostTensor, initializeParameters, validateDataset } from '@abs/core';
import { createJsModel, JS_CAPABILITIES } from './js-model';

export interface JsBackendOptions {
  /** Name reported in results and errors (default `'js'`). */
  readonly name?: string;
}

/**
 * @example
 * const model = await jsBackend().compile(mlp([784, 128, 10]), data.train, { seed: 1 });
 * const { loss, gradient } = await model.evaluate([0, 1, 2], { gradient: true });
 */
export function jsBackend(options: JsBackendOptions = {}): Backend<HostTensor> {
  const name = options.name ?? 'js';
  const backend: Backend<HostTensor> = {
    specificationVersion: 'abs-backend-v1',
    name,
    ops: createHostTensorOps(name),
    capabilities: JS_CAPABILITIES,
    async compile(spec, dataset, compileOptions = {}) {
      validateDataset(dataset);
      const parameters = compileOptions.parameters ?? initializeParameters(spec, compileOptions.seed ?? 0);
      return createJsModel(spec, dataset, { parameters, backend: name, compileSibling: backend.compile });
    },
  };
  return backend;
}
