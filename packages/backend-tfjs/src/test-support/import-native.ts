/**
 * Test-only: imports an optional native TensorFlow.js package (tfjs-node, tfjs-node-gpu) and
 * says why it is unavailable instead of failing. The specifier is a variable so neither the
 * compiler nor vite resolves it ahead of time.
 */
import type { TensorFlow } from '../tfjs-namespace';

export type NativeImport =
  | { readonly ok: true; readonly tf: TensorFlow }
  | { readonly ok: false; readonly reason: string };

export async function importNative(specifier: string): Promise<NativeImport> {
  try {
    const tf = (await import(/* @vite-ignore */ specifier)) as TensorFlow;
    await tf.ready();
    return { ok: true, tf };
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    const missing = /Cannot find (package|module)|Failed to load url|Does the file exist/i.test(message);
    return {
      ok: false,
      reason: missing
        ? `${specifier} is not installed (its install script downloads libtensorflow, which CI cannot do; install it locally to run these tests)`
        : `${specifier} is installed but failed to load: ${message.split('\n')[0]}`,
    };
  }
}
