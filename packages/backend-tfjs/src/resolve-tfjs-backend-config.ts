/**
 * Validates `tfjsBackend` options once, at creation: `tf` must be a TensorFlow.js namespace
 * whose backend is ready. Reading `tf.getBackend()` is the only contact with global state;
 * nothing is registered or switched.
 */
import { BackendUnavailableError, checker } from '@abs/core';
import { type KernelChoices, kernelChoicesFor } from './model/dense-math';
import { DEFAULT_STATISTICS, type StatisticsOptions } from './model/linear-statistics';
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
  /** Chunking and formulation of conv layers' per-example statistics (see `linear-statistics.ts`). */
  readonly statistics: StatisticsOptions;
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
    const registered = registeredBackends(tf);
    throw new BackendUnavailableError({
      backend: 'tfjs',
      reason:
        registered.length > 0
          ? `TensorFlow.js has ${registered.map((n) => `'${n}'`).join(', ')} registered but none started yet: await tf.ready() or tf.setBackend('<name>') first`
          : NO_BACKEND_REASON,
    });
  }
  if (options.name !== undefined)
    c.check(typeof options.name === 'string' && options.name !== '', 'name', options.name, 'a non-empty string');
  return {
    tf,
    name: options.name ?? `tfjs-${tfBackend}`,
    tfBackend,
    kernels: kernelChoicesFor(tfBackend),
    statistics: DEFAULT_STATISTICS,
  };
}

const NO_BACKEND_REASON =
  "no TensorFlow.js backend is registered: pass the namespace of '@tensorflow/tfjs' (cpu in Node, webgl in browsers), " +
  "'@tensorflow/tfjs-node', or '@tensorflow/tfjs-core' after importing a backend such as '@tensorflow/tfjs-backend-cpu' " +
  "or '@tensorflow/tfjs-backend-wasm'";

/** Backends registered with `tf`'s engine, started or not (empty when `tf` has no engine). */
function registeredBackends(tf: TensorFlow): string[] {
  try {
    return typeof tf.engine === 'function' ? tf.engine().backendNames() : [];
  } catch {
    return [];
  }
}

/**
 * True when `tf` has backends registered but has not started one: `@tensorflow/tfjs` (or
 * tfjs-core plus a backend package) before anything awaited `tf.ready()`. `tfjsBackend` then
 * waits for `tf.ready()` in `compile` instead of failing.
 */
export function awaitsTfjsReady(tf: TensorFlow | undefined): boolean {
  if (typeof tf?.getBackend !== 'function' || typeof tf.ready !== 'function') return false;
  try {
    const active = tf.getBackend();
    return (typeof active !== 'string' || active === '') && registeredBackends(tf).length > 0;
  } catch {
    return false;
  }
}
