/**
 * Exports a model as a plain inference `.onnx` file: the forward pass only, parameters and
 * batch-norm running averages stored as initializers (batch norm in inference mode), input
 * `input` [batch, ...inputShape] (NHWC images, as abs) and output `logits` [batch, out].
 * Works for a model of any backend (it reads the spec, the parameters and the buffers).
 */
import { describeSpec, initializeBuffers, type Model, type ModelSpec } from '@abs/core';
import { GraphBuilder } from './graph/graph-builder';
import { buildNetwork, forwardChain, toInternal } from './graph/network';
import { encodeModel, type ModelProto } from './proto/onnx-proto';

/**
 * The inference graph of `spec` with `parameters` and `buffers` stored as initializers (the data
 * is referenced, not copied, until the model is encoded). `model.predict` of this backend runs
 * this same graph, so an exported model predicts exactly what `predict` does.
 */
export function buildInferenceGraph(
  spec: ModelSpec,
  parameters: readonly Float32Array[],
  buffers: readonly Float32Array[],
): ModelProto {
  const { parameters: parameterInfo, buffers: bufferInfo, inputShape, outputShape } = describeSpec(spec);
  const g = new GraphBuilder();
  const input = g.input('input', ['batch', ...inputShape]);
  const constant = (info: { name: string; shape: readonly number[] } | undefined, data: Float32Array | undefined) =>
    g.floatConstant(data as Float32Array, info?.shape ?? [], info?.name);
  const forward = forwardChain(
    {
      g,
      parameter: (p) => constant(parameterInfo[p], parameters[p]),
      buffer: (b) => constant(bufferInfo[b], buffers[b]),
      mode: 'infer',
      backward: false,
    },
    buildNetwork(spec),
    toInternal(g, input, inputShape),
  );
  g.output(g.rename(forward.y, 'logits'), 'logits', ['batch', outputShape[0] as number]);
  return g.build('abs-sequential');
}

/**
 * @param model a compiled model (any backend)
 * @returns the bytes of an `.onnx` model that onnxruntime (or any ONNX runtime) loads
 * @example
 * const bytes = await exportOnnx(model);
 * const session = await ort.InferenceSession.create(bytes);
 * const { logits } = await session.run({ input: new ort.Tensor('float32', x, [1, 784]) });
 */
export async function exportOnnx<T>(model: Model<T>): Promise<Uint8Array> {
  const buffers = (await model.readBuffers?.()) ?? initializeBuffers(model.spec);
  return encodeModel(buildInferenceGraph(model.spec, await model.readParameters(), buffers));
}
