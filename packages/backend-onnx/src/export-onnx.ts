/**
 * Exports a model as a plain inference `.onnx` file: the forward pass only, parameters and
 * batch-norm running averages stored as initializers (batch norm in inference mode), input
 * `input` [batch, ...inputShape] (NHWC images, as abs) and output `logits` [batch, out].
 * Works for a model of any backend (it reads the spec, the parameters and the buffers).
 */
import { describeSpec, initializeBuffers, type Model } from '@abs/core';
import { GraphBuilder } from './graph/graph-builder';
import { buildNetwork, forwardChain, toInternal } from './graph/network';
import { encodeModel } from './proto/onnx-proto';

/**
 * @param model a compiled model (any backend)
 * @returns the bytes of an `.onnx` model that onnxruntime (or any ONNX runtime) loads
 * @example
 * const bytes = await exportOnnx(model);
 * const session = await ort.InferenceSession.create(bytes);
 * const { logits } = await session.run({ input: new ort.Tensor('float32', x, [1, 784]) });
 */
export async function exportOnnx<T>(model: Model<T>): Promise<Uint8Array> {
  const spec = model.spec;
  const values = await model.readParameters();
  const bufferValues = (await model.readBuffers?.()) ?? initializeBuffers(spec);
  const { parameters, buffers, inputShape, outputShape } = describeSpec(spec);
  const g = new GraphBuilder();
  const input = g.input('input', ['batch', ...inputShape]);
  const forward = forwardChain(
    {
      g,
      parameter: (p) => g.floatConstant(values[p] as Float32Array, parameters[p]?.shape ?? [], parameters[p]?.name),
      buffer: (b) => g.floatConstant(bufferValues[b] as Float32Array, buffers[b]?.shape ?? [], buffers[b]?.name),
      mode: 'infer',
      backward: false,
    },
    buildNetwork(spec),
    toInternal(g, input, inputShape),
  );
  g.output(g.rename(forward.y, 'logits'), 'logits', ['batch', outputShape[0] as number]);
  return encodeModel(g.build('abs-sequential'));
}
