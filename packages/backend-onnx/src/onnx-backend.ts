/**
 * `onnxBackend()`: training on onnxruntime-node through generated ONNX graphs. The factory
 * validates its options and returns at once; onnxruntime-node is imported, and the
 * execution providers started, on the first `compile` (then reused by every model and
 * sibling of this backend).
 */
import {
  type Backend,
  type CompileOptions,
  createHostTensorOps,
  type Dataset,
  type HostTensor,
  initializeParameters,
  type ModelSpec,
  validateDataset,
} from '@abs/core';

import { createOnnxModel, ONNX_CAPABILITIES, type OnnxModel } from './onnx-model';
import { type OnnxBackendOptions, resolveOnnxBackendConfig } from './resolve-onnx-backend-config';
import { loadRuntime, type Runtime, type RuntimeImporter } from './runtime/load-runtime';

/** core's `Backend` whose `compile` returns an {@link OnnxModel}. */
export interface OnnxBackend extends Backend<HostTensor> {
  compile(spec: ModelSpec, dataset: Dataset, options?: CompileOptions): Promise<OnnxModel>;
}

/** @internal Test seam: replaces `import('onnxruntime-node')`. */
export function createOnnxBackend(options: OnnxBackendOptions, importer?: RuntimeImporter): OnnxBackend {
  const config = resolveOnnxBackendConfig(options);
  let runtime: Promise<Runtime> | undefined;
  /** The runtime, loaded once per backend; a failed load is retried by the next compile. */
  const start = () => {
    if (!runtime) {
      runtime = loadRuntime(config, importer);
      runtime.catch(() => {
        runtime = undefined;
      });
    }
    return runtime;
  };
  const backend: OnnxBackend = {
    specificationVersion: 'abs-backend-v1',
    name: config.name,
    ops: createHostTensorOps(config.name),
    capabilities: ONNX_CAPABILITIES,
    async compile(spec, dataset, compileOptions = {}) {
      validateDataset(dataset);
      const parameters = compileOptions.parameters ?? initializeParameters(spec, compileOptions.seed ?? 0);
      return createOnnxModel(spec, dataset, { runtime: await start(), parameters, compileSibling: backend.compile });
    },
  };
  return backend;
}

/**
 * An onnxruntime-node backend (CPU by default, CUDA when its provider is installed).
 * @param options executionProviders in order of preference (default `['cpu']`); threads per session
 * @example
 * const model = await onnxBackend().compile(mlp([784, 128, 10]), data.train, { seed: 1 });
 * const { loss, gradient } = await model.evaluate([0, 1, 2], { gradient: true });
 * model.backend; // 'onnx-cpu'
 */
export function onnxBackend(options: OnnxBackendOptions = {}): OnnxBackend {
  return createOnnxBackend(options);
}
