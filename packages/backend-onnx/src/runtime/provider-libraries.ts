/**
 * onnxruntime-node bundles its CPU provider; the CUDA provider's libraries are not in the npm
 * package but downloaded by its install script into the folder of its native binding. Asked to
 * start a provider whose libraries are absent, onnxruntime prints a red "cannot open shared
 * object file" line on stderr (through its process-wide logger, which session options cannot
 * quiet) before it throws. So `loadRuntime` looks for the files first and, when they are
 * missing, reports that in its typed error without asking onnxruntime at all.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ExecutionProvider } from '../resolve-onnx-backend-config';

/** Why `provider` cannot start here, found without onnxruntime; `undefined` when it may. */
export type ProviderCheck = (provider: ExecutionProvider) => string | undefined;

/** The libraries each non-bundled provider loads, without platform prefix and extension. */
const LIBRARIES: Partial<Record<ExecutionProvider, readonly string[]>> = {
  cuda: ['onnxruntime_providers_shared', 'onnxruntime_providers_cuda'],
};

const FILE_NAMES: Partial<Record<NodeJS.Platform, (library: string) => string>> = {
  linux: (library) => `lib${library}.so`,
  win32: (library) => `${library}.dll`,
};

/** This module's location in the ESM build (import.meta) and in the CJS build (__filename). */
const here = typeof __filename === 'string' ? __filename : import.meta.url;

/** Where onnxruntime-node keeps its binding and provider libraries, if it can be resolved. */
function bindingFolder(): string | null {
  try {
    const entry = createRequire(here).resolve('onnxruntime-node'); // <package>/dist/index.js
    return join(dirname(dirname(entry)), 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return null;
  }
}

/**
 * A check over `folder` (default: the installed onnxruntime-node's binding folder; `null` when
 * it cannot be resolved). Where the folder or the platform's file names are unknown it defers to
 * onnxruntime.
 */
export function providerLibraryCheck(
  folder: string | null = bindingFolder(),
  platform: NodeJS.Platform = process.platform,
): ProviderCheck {
  return (provider) => {
    const libraries = LIBRARIES[provider];
    const fileName = FILE_NAMES[platform];
    if (libraries === undefined || fileName === undefined || folder === null) return undefined;
    const missing = libraries.map(fileName).filter((file) => !existsSync(join(folder, file)));
    return missing.length === 0 ? undefined : `not installed (${missing.join(', ')} missing from ${folder})`;
  };
}
