// @abs/backend-onnx — training on onnxruntime-node through generated ONNX graphs.

export { exportOnnx } from './export-onnx';
export { type OnnxBackend, onnxBackend } from './onnx-backend';
export type { OnnxModel } from './onnx-model';
export type { ExecutionProvider, OnnxBackendOptions } from './resolve-onnx-backend-config';
export type { SessionStats } from './runtime/session-cache';
