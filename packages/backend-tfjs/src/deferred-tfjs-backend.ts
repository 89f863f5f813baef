/**
 * `tfjsBackend({ tf })` for a namespace that has backends registered but has not started one
 * yet — `import * as tf from '@tensorflow/tfjs'` in Node registers `cpu` and starts it on first
 * use or on `tf.ready()`. The first `compile` awaits `tf.ready()`, then builds the backend for
 * whichever tfjs backend tf chose; until then `name` is `'tfjs'` (or the `name` option) and
 * `tfBackend` is `''`.
 */
import { BackendUnavailableError } from '@abs/core';
import { TFJS_CAPABILITIES } from './model/tfjs-model';
import {
  resolveTfjsBackendConfig,
  type TfjsBackendConfig,
  type TfjsBackendOptions,
} from './resolve-tfjs-backend-config';
import type { TfjsBackend } from './tfjs-backend';
import { createTfjsTensorOps } from './tfjs-tensor-ops';

/** @param create builds the backend once tf has started one (`createTfjsBackend`). */
export function createDeferredTfjsBackend(
  options: TfjsBackendOptions,
  create: (config: TfjsBackendConfig) => TfjsBackend,
): TfjsBackend {
  const { tf } = options;
  const pendingName = options.name ?? 'tfjs';
  const pendingOps = createTfjsTensorOps(tf, pendingName);
  let started: Promise<TfjsBackend> | undefined;
  let backend: TfjsBackend | undefined;

  const start = async (): Promise<TfjsBackend> => {
    try {
      await tf.ready();
    } catch (cause) {
      throw new BackendUnavailableError({
        backend: pendingName,
        reason: `tf.ready() failed (${(cause as Error)?.message}); register a backend that can start here, or await tf.setBackend('<name>') before compiling`,
        cause,
      });
    }
    backend = create(resolveTfjsBackendConfig(options));
    return backend;
  };

  return {
    specificationVersion: 'abs-backend-v1',
    get name() {
      return backend?.name ?? pendingName;
    },
    get tfBackend() {
      return backend?.tfBackend ?? '';
    },
    get ops() {
      return backend?.ops ?? pendingOps;
    },
    capabilities: TFJS_CAPABILITIES,
    async compile(spec, dataset, compileOptions) {
      // A failed start is not cached: the user may register or select a backend and retry.
      started ??= start().catch((error: unknown) => {
        started = undefined;
        throw error;
      });
      return (await started).compile(spec, dataset, compileOptions);
    },
  };
}
