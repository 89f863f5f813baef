/**
 * Validates `tfjsBackend` options once, at creation: `tf` must be a TensorFlow.js namespace
 * whose backend is ready. Reading `tf.getBackend()` is the only contact with global state;
 * nothing is registered or switched.
 */
import { BackendUnavailableError, checker } from '@abs/core';
import { type KernelChoices, kernelChoicesFor } from './model/dense-math';
import type { TensorFlow } from './tfjs-namespace';

export interface TfjsBackendOptions {
  /**
   * The namespace you imported: `@tensorflow/tfjs-core` with a backend registered and ready
   * (`await tf.setBackend('wasm')` or `await tf.ready()`), `@tensorflow/tfjs`,
   * `@tensorflow/tfjs-node` or `@tensorflow/tfjs-node-gpu`.
   */
  readonly tf: TensorFlow;
  /** Name reported by models and errors (default `'tfjs-' + tf.getBackend()`). */
  readonly name?: string;
}

export interface TfjsBackendConfig {
  readonly tf: TensorFlow;
  readonly name: string;
  /** The tfjs backend active at creation, e.g. `'wasm'`, `'cpu'`, `'tensorflow'`. */
  readonly tfBackend: string;
  /** Kernel choices for the active tfjs backend (see `dense-math.ts`). */
  readonly kernels: KernelChoices;
}

export function resolveTfjsBackendConfig(options: TfjsBackendOptions): TfjsBackendConfig {
  const c = checker('tfjsBackend');
  const tf = options?.tf;
  c.check(
    typeof tf === 'object' && tf !== null && typeof tf.getBackend === 'function' && typeof tf.tidy === 'function',
    'tf',
    typeof tf === 'object' && tf !== null ? 'an object without getBackend() and tidy()' : tf,
    "the TensorFlow.js namespace (import * as tf from '@tensorflow/tfjs-core' or '@tensorflow/tfjs-node')",
  );
  let tfBackend: string | undefined;
  try {
    tfBackend = tf.getBackend();
  } catch (cause) {
    throw new BackendUnavailableError({
      backend: 'tfjs',
      reason: `tf.getBackend() failed (${(cause as Error)?.message}); await tf.setBackend('<name>') or tf.ready() before tfjsBackend({ tf })`,
      cause,
    });
  }
  if (typeof tfBackend !== 'string' || tfBackend === '') {
    throw new BackendUnavailableError({
      backend: 'tfjs',
      reason:
        'no TensorFlow.js backend is registered: import one (e.g. @tensorflow/tfjs-backend-wasm) and await tf.setBackend(...) first',
    });
  }
  if (options.name !== undefined)
    c.check(typeof options.name === 'string' && options.name !== '', 'name', options.name, 'a non-empty string');
  return { tf, name: options.name ?? `tfjs-${tfBackend}`, tfBackend, kernels: kernelChoicesFor(tfBackend) };
}
