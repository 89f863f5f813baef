/**
 * Test-only: the tfjs-core namespace with the cpu and wasm backends registered (dev
 * dependencies), and a switch between them. The wasm binaries load from this package's
 * node_modules (a file path, never a download). Each vitest file runs in its own worker, so
 * a file picks one backend for all its tests.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { TensorFlow } from '../tfjs-namespace';

export type TestBackend = 'cpu' | 'wasm';

let wasmPathsSet = false;

/** Activates `name` on the shared namespace and returns it. */
export async function loadTfjs(name: TestBackend): Promise<TensorFlow> {
  if (name === 'wasm' && !wasmPathsSet) {
    const require = createRequire(import.meta.url);
    const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    setWasmPaths(`${dist}/`);
    wasmPathsSet = true;
  }
  // tfjs's test mode: every kernel is checked for leaked data ids, and the cpu backend's
  // "install tfjs-node" banner stays quiet.
  tf.env().set('IS_TEST', true);
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend '${name}' failed to start`);
  await tf.ready();
  return tf;
}
