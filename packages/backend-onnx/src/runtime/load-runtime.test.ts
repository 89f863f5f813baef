import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackendUnavailableError, mlp } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { createOnnxBackend } from '../onnx-backend';
import { resolveOnnxBackendConfig } from '../resolve-onnx-backend-config';
import { loadRuntime } from './load-runtime';
import { providerLibraryCheck } from './provider-libraries';

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

describe('loadRuntime with a provider whose libraries are not installed', () => {
  // A stand-in onnxruntime that records which providers it was asked to start.
  const fakeOrt = (asked: string[]) => async () => ({
    InferenceSession: {
      create: async (_model: Uint8Array, options: { executionProviders: string[] }) => {
        asked.push(...options.executionProviders);
        return { release: async () => {} };
      },
    },
    listSupportedBackends: () => [
      { name: 'cpu', bundled: true },
      { name: 'cuda', bundled: false },
    ],
  });
  const cudaMissing = (provider: string) =>
    provider === 'cuda' ? 'not installed (libonnxruntime_providers_cuda.so missing from /ort/bin)' : undefined;

  it('never asks onnxruntime for it, so onnxruntime prints nothing, and falls back', async () => {
    const asked: string[] = [];
    const config = resolveOnnxBackendConfig({ executionProviders: ['cuda', 'cpu'] });
    const runtime = await loadRuntime(config, fakeOrt(asked), cudaMissing);
    expect(asked).toEqual(['cpu']);
    expect(runtime.executionProviders).toEqual(['cpu']);
    expect(runtime.name).toBe('onnx-cpu');
  });

  it('puts the reason in the typed error when nothing else was asked for', async () => {
    const asked: string[] = [];
    const config = resolveOnnxBackendConfig({ executionProviders: ['cuda'] });
    const error = await loadRuntime(config, fakeOrt(asked), cudaMissing).catch((e: unknown) => e);
    expect(asked).toEqual([]);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      "backend 'onnx-cuda' is unavailable: no execution provider started (asked for cuda; this onnxruntime-node " +
        'offers: cpu, cuda (not bundled)). Failures: cuda: not installed (libonnxruntime_providers_cuda.so missing ' +
        "from /ort/bin) (the CUDA provider needs onnxruntime-node's CUDA 12 binaries, which its install script " +
        'downloads with ONNXRUNTIME_NODE_INSTALL=cuda12, and CUDA 12 + cuDNN 9 libraries on the library path)',
    );
  });

  it('asks onnxruntime when the check finds nothing missing', async () => {
    const asked: string[] = [];
    const config = resolveOnnxBackendConfig({ executionProviders: ['cuda', 'cpu'] });
    const runtime = await loadRuntime(config, fakeOrt(asked), () => undefined);
    expect(asked).toEqual(['cuda', 'cpu']);
    expect(runtime.name).toBe('onnx-cuda');
  });
});

describe('providerLibraryCheck', () => {
  it('names the CUDA libraries missing from the binding folder', () => {
    const folder = mkdtempSync(join(tmpdir(), 'abs-ort-bin-'));
    try {
      const check = providerLibraryCheck(folder, 'linux');
      expect(check('cuda')).toBe(
        `not installed (libonnxruntime_providers_shared.so, libonnxruntime_providers_cuda.so missing from ${folder})`,
      );
      writeFileSync(join(folder, 'libonnxruntime_providers_shared.so'), '');
      expect(check('cuda')).toBe(`not installed (libonnxruntime_providers_cuda.so missing from ${folder})`);
      writeFileSync(join(folder, 'libonnxruntime_providers_cuda.so'), '');
      expect(check('cuda')).toBeUndefined();
      expect(providerLibraryCheck(folder, 'win32')('cuda')).toBe(
        `not installed (onnxruntime_providers_shared.dll, onnxruntime_providers_cuda.dll missing from ${folder})`,
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('leaves bundled providers, unknown platforms and an unresolved folder to onnxruntime', () => {
    expect(providerLibraryCheck('/nowhere', 'linux')('cpu')).toBeUndefined();
    expect(providerLibraryCheck('/nowhere', 'darwin')('cuda')).toBeUndefined();
    expect(providerLibraryCheck(null, 'linux')('cuda')).toBeUndefined();
  });

  it('finds the installed onnxruntime-node binding folder by default', (context) => {
    // This repository installs onnxruntime-node without its CUDA download (pnpm skips the script).
    const message = providerLibraryCheck()('cuda');
    if (process.platform !== 'linux' || message === undefined) {
      console.info('skipped: not linux, or the CUDA provider is installed, so no folder is named');
      context.skip();
    }
    expect(message).toMatch(/onnxruntime-node[\\/]bin[\\/]napi-v6[\\/]linux[\\/]/);
  });
});
