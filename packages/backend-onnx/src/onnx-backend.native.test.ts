import { jsBackend } from '@abs/backend-js';
import { BackendUnavailableError, hostTensor, mlp } from '@abs/core';
import { conformanceDataset, describeBackendConformance } from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { onnxBackend } from './onnx-backend';
import type { OnnxModel } from './onnx-model';

// Native binding check: without onnxruntime-node these tests are skipped with the reason printed.
const unavailable = await import('onnxruntime-node').then(
  () => undefined,
  (error: unknown) => String(error),
);
const describeNative = unavailable ? describe.skip : describe;

if (unavailable) {
  it.skip(`onnx backend tests (skipped: onnxruntime-node cannot load: ${unavailable})`, () => {});
} else {
  describeBackendConformance({ name: 'onnx-cpu', backend: () => onnxBackend(), reference: () => jsBackend() });
}

describeNative('onnxBackend', () => {
  const data = conformanceDataset({ size: 8, width: 3, classes: 2, seed: 1 });

  it('reports an execution provider that cannot start, with what is available and why', async (context) => {
    const attempt: unknown = await onnxBackend({ executionProviders: ['cuda'] })
      .compile(mlp([3, 2]), data)
      .then(
        (model) => model,
        (error: unknown) => error,
      );
    if (!(attempt instanceof Error)) {
      // A machine with the CUDA provider installed: nothing to report.
      (attempt as OnnxModel).dispose();
      context.skip();
    }
    expect(BackendUnavailableError.isInstance(attempt)).toBe(true);
    const message = (attempt as Error).message;
    expect(message).toMatch(/^backend 'onnx-cuda' is unavailable: no execution provider started \(asked for cuda; /);
    expect(message).toMatch(/this onnxruntime-node offers: cpu\b/);
    expect(message).toMatch(/Failures: cuda: \S/);
  });

  it('falls back along the preference list and names the provider that runs', async () => {
    const backend = onnxBackend({ executionProviders: ['cuda', 'cpu'] });
    const model = await backend.compile(mlp([3, 2]), data);
    expect(backend.name).toBe('onnx-cuda');
    expect(model.executionProviders.at(-1)).toBe('cpu');
    expect(model.backend).toBe(`onnx-${model.executionProviders[0]}`);
    model.dispose();
  });

  it('rejects bad input with core’s typed errors', async () => {
    const backend = onnxBackend();
    const badLabels = { ...data, labels: Int32Array.from([0, 1, 2, 0, 1, 0, 1, 0]) };
    await expect(backend.compile(mlp([3, 2]), badLabels)).rejects.toThrow(
      "dataset 'conformance': label 2 of example 2 is outside [0, 2)",
    );
    await expect(backend.compile(mlp([3, 3]), data)).rejects.toThrow(
      "classes of dataset 'conformance' vs the spec's output: expected shape [3], got [2]",
    );
    await expect(backend.compile({ kind: 'conv' } as never, data)).rejects.toThrow(
      'model spec: kind must be \'sequential\' (build specs with sequential() or mlp()), got "conv"',
    );
    const model = await backend.compile(mlp([3, 4, 2]), data);
    await expect(model.evaluate([0, 1], { features: { layer: 2 } })).rejects.toThrow(
      'features.layer must be an integer in [0, 2), got 2',
    );
    const features = hostTensor(new Float32Array(8), [2, 4]);
    await expect(
      model.evaluate([0, 1], { features: { layer: 0 }, replaceFeatures: { layer: 1, features } }),
    ).rejects.toThrow('features.layer must not be below replaceFeatures.layer (1), got 0');
    await expect(
      model.evaluate([0, 1], { replaceFeatures: { layer: 1, features: hostTensor(new Float32Array(6), [2, 3]) } }),
    ).rejects.toThrow('replaceFeatures.features[0]: expected shape [2, 4], got [2, 3]');
    await expect(model.evaluate([0, 1], { exampleWeights: [new Float32Array(2)] })).rejects.toThrow(
      'exampleWeights (one array per layer): expected shape [2], got [1]',
    );
    await expect(model.evaluate([0, 1], { gram: true, exampleWeights: () => new Float32Array(5) })).rejects.toThrow(
      'exampleWeights[0]: expected shape [2], got [5]',
    );
    await expect(model.predict(new Float32Array(5), 2)).rejects.toThrow(
      'predict features: expected shape [2, 3], got [5]',
    );
    expect(await model.predict(new Float32Array(0), 0)).toEqual(new Float32Array(0));
    model.dispose();
    await expect(model.evaluate([0])).rejects.toThrow('onnx-cpu.evaluate: the model was disposed');
    await expect(model.predict(new Float32Array(3), 1)).rejects.toThrow('onnx-cpu.predict: the model was disposed');
  });
});
