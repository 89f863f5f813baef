// `tfjsBackend({ tf })` with a namespace whose backend is registered but not started, as
// `import * as tf from '@tensorflow/tfjs'` leaves it: tfjs-core plus the cpu backend package,
// and nothing awaited. This file runs in its own worker, so tf's engine starts out untouched.
import { BackendUnavailableError, mlp } from '@abs/core';
import { conformanceDataset } from '@abs/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { tfjsBackend } from './tfjs-backend';
import type { TensorFlow } from './tfjs-namespace';

// The cpu backend's "install tfjs-node" banner stays quiet in tfjs's test mode.
tf.env().set('IS_TEST', true);
const dataset = conformanceDataset({ size: 8, width: 3, classes: 2, seed: 1 });

describe('tfjsBackend before tf.ready()', () => {
  it('starts the registered backend in compile and is named after it', async () => {
    expect(tf.getBackend()).toBeFalsy(); // the situation under test: registered, not started
    const backend = tfjsBackend({ tf });
    expect(backend.name).toBe('tfjs');
    const model = await backend.compile(mlp([3, 2]), dataset, { seed: 1 });
    expect(tf.getBackend()).toBe('cpu');
    expect(backend.name).toBe('tfjs-cpu');
    expect(backend.tfBackend).toBe('cpu');
    expect(model.backend).toBe('tfjs-cpu');
    const { loss } = await model.evaluate([0, 1, 2], {});
    expect(Number.isFinite(loss)).toBe(true);
    model.dispose();
  });

  it('reports a failed tf.ready() as a typed error and tries again on the next compile', async () => {
    let attempts = 0;
    const failing = {
      ...tf,
      getBackend: () => null,
      ready: async () => {
        attempts += 1;
        throw new Error('Could not initialize any backends, all backend initializations failed.');
      },
    } as unknown as TensorFlow;
    const backend = tfjsBackend({ tf: failing, name: 'mine' });
    const compiling = backend.compile(mlp([3, 2]), dataset);
    await expect(compiling).rejects.toSatisfy(BackendUnavailableError.isInstance);
    await expect(compiling).rejects.toThrow(
      "backend 'mine' is unavailable: tf.ready() failed (Could not initialize any backends, all backend initializations failed.); register a backend that can start here, or await tf.setBackend('<name>') before compiling",
    );
    await expect(backend.compile(mlp([3, 2]), dataset)).rejects.toThrow('tf.ready() failed');
    expect(attempts).toBe(2);
  });

  it('says what to import when no backend is registered at all', () => {
    const bare = { ...tf, getBackend: () => null, engine: () => ({ backendNames: () => [] }) } as unknown as TensorFlow;
    expect(() => tfjsBackend({ tf: bare })).toThrow(
      "backend 'tfjs' is unavailable: no TensorFlow.js backend is registered: pass the namespace of '@tensorflow/tfjs' (cpu in Node, webgl in browsers), '@tensorflow/tfjs-node', or '@tensorflow/tfjs-core' after importing a backend such as '@tensorflow/tfjs-backend-cpu' or '@tensorflow/tfjs-backend-wasm'",
    );
  });
});
