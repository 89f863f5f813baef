// @abs/backend-tfjs — one abs backend for every TensorFlow.js backend (cpu, wasm, webgl,
// node, node-gpu): pass the `tf` namespace you imported.

export { UnsupportedLayerError } from './errors/unsupported-layer-error';
export {
  type FromLayersModelOptions,
  fromLayersModel,
  type LayersModelBinding,
} from './layers/from-layers-model';
export type { DenseLayerLike, LayerLike, LayersModelLike, SequentialLike } from './layers/layers-graph';
export type { TfjsBackendOptions } from './resolve-tfjs-backend-config';
export { type TfjsBackend, tfjsBackend } from './tfjs-backend';
export type { Tensor, TensorFlow } from './tfjs-namespace';
export { createTfjsTensorOps } from './tfjs-tensor-ops';
