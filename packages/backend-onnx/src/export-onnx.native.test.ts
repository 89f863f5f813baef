import { jsBackend } from '@abs/backend-js';
import { mlp } from '@abs/core';
import { BATCH_NORM_SPEC, CONV_SPEC, conformanceDataset, maxRelativeDifference } from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { exportOnnx } from './export-onnx';
import { onnxBackend } from './onnx-backend';
import { decodeModel } from './proto/onnx-proto';

const ort = await import('onnxruntime-node').catch(() => undefined);
const describeNative = ort ? describe : describe.skip;
if (!ort) it.skip('exportOnnx tests (skipped: onnxruntime-node cannot load)', () => {});

describeNative('exportOnnx', () => {
  const data = conformanceDataset({ size: 12, width: 5, classes: 3, seed: 2 });
  const x = data.features.subarray(0, 6 * 5);

  const runExported = async (bytes: Uint8Array) => {
    const runtime = ort as NonNullable<typeof ort>;
    const session = await runtime.InferenceSession.create(bytes);
    const { logits } = await session.run({ input: new runtime.Tensor('float32', x, [6, 5]) });
    await session.release();
    return logits?.data as Float32Array;
  };

  const specs = [
    { title: 'relu, bias', spec: mlp([5, 7, 3]) },
    { title: 'tanh, no bias', spec: mlp([5, 4, 4, 3], { activation: 'tanh', bias: false }) },
  ];
  for (const { title, spec } of specs) {
    it(`gives exactly the predictions of model.predict (${title})`, async () => {
      const model = await onnxBackend().compile(spec, data, { seed: 9 });
      // Train a little so the exported parameters are not the initial ones.
      const { gradient } = await model.evaluate([0, 1, 2, 3], { gradient: true });
      model.setParameters(model.parameters.map((p, i) => model.ops.axpby(1, p, -0.5, gradient?.[i] ?? p)));
      const bytes = await exportOnnx(model);
      expect(await runExported(bytes)).toEqual(await model.predict(x, 6));
      model.dispose();
    });
  }

  for (const [title, spec] of [
    ['conv, pooling, residual', CONV_SPEC],
    ['batch norm, with its running averages', BATCH_NORM_SPEC],
  ] as const) {
    it(`exports a trained ${title} net that predicts exactly what model.predict does`, async () => {
      const images = conformanceDataset({ size: 12, featureShape: spec.inputShape, classes: 3, seed: 3 });
      const model = await onnxBackend().compile(spec, images, { seed: 9 });
      for (let step = 0; step < 3; step++) await model.sgdStep?.([step, step + 4, step + 8], { learningRate: 0.1 });
      const runtime = ort as NonNullable<typeof ort>;
      const bytes = await exportOnnx(model);
      const session = await runtime.InferenceSession.create(bytes);
      const count = 5;
      const features = images.features.subarray(0, (count * images.features.length) / images.size);
      const { logits } = await session.run({
        input: new runtime.Tensor('float32', features, [count, ...spec.inputShape]),
      });
      await session.release();
      const predicted = await model.predict(features, count);
      expect(logits?.data).toEqual(predicted);
      const names = decodeModel(bytes).graph.initializer.map((t) => t.name);
      for (const buffer of model.bufferInfo ?? []) expect(names).toContain(buffer.name);
      model.dispose();
    });
  }

  it('is a plain inference model: input, logits, parameters as named initializers', async () => {
    const model = await onnxBackend().compile(mlp([5, 7, 3]), data, { seed: 9 });
    const decoded = decodeModel(await exportOnnx(model));
    const graph = decoded.graph;
    expect(graph.input.map((v) => v.name)).toEqual(['input']);
    expect(graph.output.map((v) => v.name)).toEqual(['logits']);
    expect(graph.input[0]?.type.tensorType.shape.dim).toEqual([{ dimParam: 'batch' }, { dimValue: 5 }]);
    expect(graph.initializer.map((t) => [t.name, t.dims])).toEqual([
      ['dense0/weight', [5, 7]],
      ['dense0/bias', [7]],
      ['dense1/weight', [7, 3]],
      ['dense1/bias', [3]],
    ]);
    const [w0] = await model.readParameters();
    const raw = graph.initializer[0]?.rawData as Uint8Array;
    // Decoded bytes may be a Buffer view into a shared pool: copy before reinterpreting.
    expect(new Float32Array(Uint8Array.from(raw).buffer)).toEqual(w0);
    expect(graph.node.map((n) => n.opType)).toEqual(['Gemm', 'Relu', 'Gemm']);
    model.dispose();
  });

  it('exports a model of another backend too', async () => {
    const model = await jsBackend().compile(mlp([5, 7, 3], { activation: 'sigmoid' }), data, { seed: 4 });
    const logits = await runExported(await exportOnnx(model));
    expect(maxRelativeDifference(logits, await model.predict(x, 6))).toBeLessThan(1e-5);
  });
});
