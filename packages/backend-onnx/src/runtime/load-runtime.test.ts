import { BackendUnavailableError, mlp } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { createOnnxBackend } from '../onnx-backend';
import { resolveOnnxBackendConfig } from '../resolve-onnx-backend-config';
import { loadRuntime } from './load-runtime';

const dataset = {
  name: 'tiny',
  size: 2,
  featureShape: [2],
  features: Float32Array.from([1, 2, 3, 4]),
  labels: Int32Array.from([0, 1]),
  numClasses: 2,
};

describe('loadRuntime without onnxruntime-node', () => {
  const missing = () => Promise.reject(new Error("Cannot find package 'onnxruntime-node'"));

  it('turns a missing package into BackendUnavailableError with the install command', async () => {
    const error = await loadRuntime(resolveOnnxBackendConfig(), missing).catch((e: unknown) => e);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      "backend 'onnx-cpu' is unavailable: onnxruntime-node could not be loaded " +
        "(install it: pnpm add onnxruntime-node): Cannot find package 'onnxruntime-node'",
    );
  });

  it('rejects a module without InferenceSession', async () => {
    const error = await loadRuntime(resolveOnnxBackendConfig(), async () => ({})).catch((e: unknown) => e);
    expect((error as Error).message).toContain('the module has no InferenceSession');
  });

  it('fails at compile, not at creation, and retries the import on the next compile', async () => {
    let calls = 0;
    const backend = createOnnxBackend({}, () => {
      calls += 1;
      return missing();
    });
    expect(backend.name).toBe('onnx-cpu');
    await expect(backend.compile(mlp([2, 2]), dataset)).rejects.toMatchObject({ code: 'abs.backend-unavailable' });
    await expect(backend.compile(mlp([2, 2]), dataset)).rejects.toMatchObject({ code: 'abs.backend-unavailable' });
    expect(calls).toBe(2);
  });
});
