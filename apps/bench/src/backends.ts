/**
 * Every backend the bench knows, loaded lazily. A backend that is not installed or cannot
 * start is reported as skipped with the reason, never a crash.
 */
import type { Backend } from '@abs/core';

export const BACKEND_NAMES = [
  'js',
  'onnx',
  'onnx-cuda',
  'tfjs-cpu',
  'tfjs-wasm',
  'tfjs-node',
  'tfjs-node-gpu',
] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Fastest first: the default is the first one that loads. */
export const DEFAULT_PREFERENCE: readonly BackendName[] = [
  'onnx-cuda',
  'tfjs-node-gpu',
  'onnx',
  'tfjs-node',
  'tfjs-wasm',
  'tfjs-cpu',
  'js',
];

export type LoadedBackend =
  | {
      readonly name: BackendName;
      readonly backend: Backend<unknown>;
      /** Makes this backend current (tfjs keeps one global backend; call before each use). */
      readonly activate: () => Promise<void>;
    }
  | { readonly name: BackendName; readonly skipped: string };

const nothing = async () => {};

const reasonOf = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';

async function importOptional(specifier: string): Promise<unknown> {
  return import(/* @vite-ignore */ specifier);
}

async function tfjsWith(
  setup: 'cpu' | 'wasm' | 'node' | 'node-gpu',
): Promise<{ backend: Backend<unknown>; activate: () => Promise<void> }> {
  const { tfjsBackend } = (await importOptional('@abs/backend-tfjs')) as typeof import('@abs/backend-tfjs');
  if (setup === 'node' || setup === 'node-gpu') {
    const pkg = setup === 'node' ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-node-gpu';
    let tf: typeof import('@tensorflow/tfjs-core');
    try {
      tf = (await importOptional(pkg)) as typeof import('@tensorflow/tfjs-core');
    } catch (error) {
      const missing = (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND';
      throw new Error(
        missing
          ? `${pkg} is not installed (pnpm add ${pkg}; its install downloads libtensorflow)`
          : `${pkg} did not load: ${reasonOf(error)}`,
      );
    }
    return { backend: tfjsBackend({ tf }) as Backend<unknown>, activate: nothing };
  }
  const tf = await import('@tensorflow/tfjs-core');
  // The bench owns this process's tfjs: production mode keeps the cpu backend's "install
  // tfjs-node" banner off the first screen (the skipped-backend lines already say what is missing).
  tf.enableProdMode();
  if (setup === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
  } else {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const { createRequire } = await import('node:module');
    const { dirname } = await import('node:path');
    const dist = `${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'))}/`;
    wasm.setWasmPaths(dist);
    await tf.setBackend('wasm');
  }
  await tf.ready();
  const backend = tfjsBackend({ tf }) as Backend<unknown>;
  const activate = async () => {
    if (tf.getBackend() !== setup) {
      await tf.setBackend(setup);
      await tf.ready();
    }
  };
  return { backend, activate };
}

export async function loadBackend(name: BackendName): Promise<LoadedBackend> {
  try {
    switch (name) {
      case 'js': {
        const { jsBackend } = await import('@abs/backend-js');
        return { name, backend: jsBackend() as Backend<unknown>, activate: nothing };
      }
      case 'onnx':
      case 'onnx-cuda': {
        const { onnxBackend } = (await importOptional('@abs/backend-onnx')) as typeof import('@abs/backend-onnx');
        const backend = onnxBackend({ executionProviders: name === 'onnx' ? ['cpu'] : ['cuda'] }) as Backend<unknown>;
        return { name, backend: await probe(backend), activate: nothing };
      }
      case 'tfjs-cpu':
        return { name, ...(await tfjsWith('cpu')) };
      case 'tfjs-wasm':
        return { name, ...(await tfjsWith('wasm')) };
      case 'tfjs-node':
        return { name, ...(await tfjsWith('node')) };
      case 'tfjs-node-gpu':
        return { name, ...(await tfjsWith('node-gpu')) };
    }
  } catch (error) {
    return { name, skipped: reasonOf(error) };
  }
}

/** Compiles a tiny model so a backend that cannot start fails here, at load time. */
async function probe(backend: Backend<unknown>): Promise<Backend<unknown>> {
  const { mlp } = await import('@abs/core');
  const model = await backend.compile(mlp([2, 2]), {
    name: 'probe',
    size: 2,
    featureShape: [2],
    features: new Float32Array(4),
    labels: Int32Array.from([0, 1]),
    numClasses: 2,
  });
  await model.evaluate([0, 1], { gradient: true });
  model.dispose();
  return backend;
}
