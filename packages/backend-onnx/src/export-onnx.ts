/**
 * Exports a model as a plain inference `.onnx` file: the forward pass only, parameters
 * stored as initializers, input `input` [batch, in] and output `logits` [batch, out].
 * Works for a model of any backend (it reads the spec and the current parameters).
 */
import { denseStack, describeSpec, type Model } from '@abs/core';
import { addForward } from './graph/forward-graph';
import { GraphBuilder } from './graph/graph-builder';
import { encodeModel } from './proto/onnx-proto';

/**
 * @param model a compiled `mlp` model (any backend)
 * @returns the bytes of an `.onnx` model that onnxruntime (or any ONNX runtime) loads
 * @example
 * const bytes = await exportOnnx(model);
 * const session = await ort.InferenceSession.create(bytes);
 * const { logits } = await session.run({ input: new ort.Tensor('float32', x, [1, 784]) });
 */
export async function exportOnnx<T>(model: Model<T>): Promise<Uint8Array> {
  const spec = denseStack(model.spec, 'exportOnnx');
  const values = await model.readParameters();
  const { parameters, layers } = describeSpec(spec.source);
  const g = new GraphBuilder();
  const constant = (p: number) => {
    const info = parameters[p] as (typeof parameters)[number];
    return g.floatConstant(values[p] as Float32Array, info.shape, info.name);
  };
  const input = g.input('input', ['batch', spec.layerSizes[0] as number]);
  const forward = addForward(g, spec, {
    input,
    start: 0,
    weight: (l) => constant(layers[l]?.parameters[0] as number),
    bias: (l) => (spec.bias ? constant(layers[l]?.parameters[1] as number) : undefined),
    outputName: 'logits',
  });
  g.output(forward.output, 'logits', ['batch', spec.layerSizes.at(-1) as number]);
  return encodeModel(g.build('abs-sequential'));
}
