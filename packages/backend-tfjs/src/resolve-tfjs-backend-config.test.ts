import { conv2d, dense, flatten, mlp, sequential } from '@abs/core';
import { conformanceDataset } from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { resolveTfjsBackendConfig } from './resolve-tfjs-backend-config';
import { loadTfjs } from './test-support/load-tfjs';
import { tfjsBackend } from './tfjs-backend';
import type { TensorFlow } from './tfjs-namespace';

const tf = await loadTfjs('cpu');

describe('resolveTfjsBackendConfig', () => {
  it('names the backend after the active tfjs backend and picks its kernels', () => {
    const config = resolveTfjsBackendConfig({ tf });
    expect(config.name).toBe('tfjs-cpu');
    expect(config.tfBackend).toBe('cpu');
    expect(config.kernels).toEqual({ explicitTranspose: false, gatherNd: false });
    expect(resolveTfjsBackendConfig({ tf, name: 'mine' }).name).toBe('mine');
  });

  it('rejects something that is not a tfjs namespace', () => {
    expect(() => resolveTfjsBackendConfig({ tf: undefined as unknown as TensorFlow })).toThrow(
      "tfjsBackend: tf must be the TensorFlow.js namespace (import * as tf from '@tensorflow/tfjs-core' or '@tensorflow/tfjs-node'), got undefined",
    );
    expect(() => resolveTfjsBackendConfig({ tf: {} as TensorFlow })).toThrow(
      'got "an object without getBackend() and tidy()"',
    );
  });

  it('rejects an empty name', () => {
    expect(() => resolveTfjsBackendConfig({ tf, name: '' })).toThrow(
      'tfjsBackend: name must be a non-empty string, got ""',
    );
  });

  it('says how to fix a namespace whose backend is not ready', () => {
    const notReady = {
      ...tf,
      getBackend: () => {
        throw new Error("Backend 'wasm' has not yet been initialized");
      },
    } as TensorFlow;
    expect(() => resolveTfjsBackendConfig({ tf: notReady })).toThrow(
      expect.objectContaining({
        code: 'abs.backend-unavailable',
        message:
          "backend 'tfjs' is unavailable: tf.getBackend() failed (Backend 'wasm' has not yet been initialized); await tf.setBackend('<name>') or tf.ready() before tfjsBackend({ tf })",
      }),
    );
    const notStarted = { ...tf, getBackend: () => undefined } as unknown as TensorFlow;
    expect(() => resolveTfjsBackendConfig({ tf: notStarted })).toThrow(
      "backend 'tfjs' is unavailable: TensorFlow.js has 'cpu', 'wasm' registered but none started yet: await tf.ready() or tf.setBackend('<name>') first",
    );
  });
});

describe('tfjsBackend.compile', () => {
  const dataset = conformanceDataset({ size: 8, width: 3, classes: 2, seed: 1 });

  it('refuses malformed specs and compiles conv specs', async () => {
    const spec = { kind: 'conv' } as unknown as ReturnType<typeof mlp>;
    await expect(tfjsBackend({ tf }).compile(spec, dataset)).rejects.toThrow(
      'model spec: kind must be \'sequential\' (build specs with sequential() or mlp()), got "conv"',
    );
    const conv = sequential([1, 3, 1], [conv2d(2, 1), flatten(), dense(2)]);
    const model = await tfjsBackend({ tf }).compile(conv, { ...dataset, featureShape: [1, 3, 1] });
    expect(model.parameterInfo.map((p) => p.shape)).toEqual([[1, 1, 1, 2], [2], [6, 2], [2]]);
    model.dispose();
  });

  it('refuses to compile after the active tfjs backend changed', async () => {
    let active = 'webgl';
    const backend = tfjsBackend({ tf: { ...tf, getBackend: () => active } as TensorFlow });
    expect(backend.name).toBe('tfjs-webgl');
    active = 'cpu';
    await expect(backend.compile(mlp([3, 2]), dataset)).rejects.toThrow(
      "backend 'tfjs-webgl' is unavailable: the active tfjs backend changed from 'webgl' to 'cpu' since tfjsBackend() was called; create a new tfjsBackend({ tf })",
    );
  });
});
