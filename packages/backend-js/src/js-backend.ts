/**
 * `jsBackend()`: the zero-dependency reference backend. Clear, float64-accumulating
 * TypeScript that answers every capability of the Model interface; the oracle other
 * backends are tested against.
 */
import {
  type Backend,
  checker,
  createHostTensorOps,
  type HostTensor,
  initializeParameters,
  validateDataset,
} from '@abs/core';
import { createJsModel, JS_CAPABILITIES } from './js-model';
import { DEFAULT_STATISTICS, type StatisticsMethod } from './layers/linear-statistics';

export interface JsBackendOptions {
  /** Name reported in results and errors (default `'js'`). */
  readonly name?: string;
  /**
   * Per-example statistics of conv layers. `chunkElements` (default 2²⁰) bounds how many
   * per-example gradient values are materialised per chunk (at least one example's gradient of
   * one layer; two chunks at once for Gram matrices). `method` (default `'auto'`, the cheaper
   * per layer) forces materialised gradients or the positions formulas.
   */
  readonly statistics?: { readonly chunkElements?: number; readonly method?: StatisticsMethod };
}

/**
 * @example
 * const model = await jsBackend().compile(mlp([784, 128, 10]), data.train, { seed: 1 });
 * const { loss, gradient } = await model.evaluate([0, 1, 2], { gradient: true });
 */
export function jsBackend(options: JsBackendOptions = {}): Backend<HostTensor> {
  const name = options.name ?? 'js';
  const statistics = {
    chunkElements: checker('jsBackend').integer(
      'statistics.chunkElements',
      options.statistics?.chunkElements ?? DEFAULT_STATISTICS.chunkElements,
      { gte: 1 },
    ),
    method: checker('jsBackend').oneOf('statistics.method', options.statistics?.method ?? 'auto', [
      'auto',
      'materialise',
      'positions',
    ]),
  };
  const backend: Backend<HostTensor> = {
    specificationVersion: 'abs-backend-v1',
    name,
    ops: createHostTensorOps(name),
    capabilities: JS_CAPABILITIES,
    async compile(spec, dataset, compileOptions = {}) {
      validateDataset(dataset);
      const parameters = compileOptions.parameters ?? initializeParameters(spec, compileOptions.seed ?? 0);
      return createJsModel(spec, dataset, { parameters, backend: name, compileSibling: backend.compile, statistics });
    },
  };
  return backend;
}
