/**
 * Loads onnxruntime-node lazily (never on import of this package) and starts the requested
 * execution providers in order, keeping those that start. A missing package, or no provider
 * that starts, becomes one `BackendUnavailableError` that lists what this onnxruntime build
 * offers and every failure.
 */
import { BackendUnavailableError } from '@abs/core';
import type * as Ort from 'onnxruntime-node';
import { GraphBuilder } from '../graph/graph-builder';
import { encodeModel } from '../proto/onnx-proto';
import type { ExecutionProvider, OnnxBackendConfig } from '../resolve-onnx-backend-config';
import { type ProviderCheck, providerLibraryCheck } from './provider-libraries';

export type OrtModule = typeof Ort;
export type InferenceSession = Ort.InferenceSession;
export type SessionOptions = Ort.InferenceSession.SessionOptions;
export type SessionFeeds = Ort.InferenceSession.FeedsType;
export type SessionOutputs = Ort.InferenceSession.ReturnType;

export interface Runtime {
  readonly ort: OrtModule;
  /** The providers that started, in the order asked for. */
  readonly executionProviders: readonly ExecutionProvider[];
  readonly sessionOptions: SessionOptions;
  /** `onnx-<provider that runs the models>`. */
  readonly name: string;
}

export type RuntimeImporter = () => Promise<unknown>;

const importOnnxruntime: RuntimeImporter = () => import('onnxruntime-node');

/** What this onnxruntime build lists, e.g. `cpu, webgpu, cuda (not bundled)`. */
function describeAvailable(ort: OrtModule): string {
  const list = (ort as { listSupportedBackends?: () => { name: string; bundled: boolean }[] }).listSupportedBackends;
  if (typeof list !== 'function') return 'unknown (listSupportedBackends is not available)';
  try {
    return list()
      .map((b) => (b.bundled ? b.name : `${b.name} (not bundled)`))
      .join(', ');
  } catch (error) {
    return `unknown (${(error as Error).message})`;
  }
}

const HINTS: Partial<Record<ExecutionProvider, string>> = {
  cuda: " (the CUDA provider needs onnxruntime-node's CUDA 12 binaries, which its install script downloads with ONNXRUNTIME_NODE_INSTALL=cuda12, and CUDA 12 + cuDNN 9 libraries on the library path)",
};

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

/** A one-node model used to check that a provider starts. */
function probeModel(): Uint8Array {
  const g = new GraphBuilder();
  g.output(g.node('Identity', [g.input('x', [1])]), 'y', [1]);
  return encodeModel(g.build('probe'));
}

/**
 * @param importer loads onnxruntime-node (tests pass a stand-in)
 * @param checkProvider says, without onnxruntime, that a provider cannot start (its libraries are
 *   not installed), so onnxruntime is never asked and prints nothing; the reason goes in the error
 */
export async function loadRuntime(
  config: OnnxBackendConfig,
  importer = importOnnxruntime,
  checkProvider: ProviderCheck = providerLibraryCheck(),
): Promise<Runtime> {
  let ort: OrtModule;
  try {
    const loaded = (await importer()) as { InferenceSession?: unknown; default?: { InferenceSession?: unknown } };
    const candidate = loaded?.InferenceSession ? loaded : loaded?.default;
    if (!candidate?.InferenceSession) throw new Error('the module has no InferenceSession');
    ort = candidate as OrtModule;
  } catch (error) {
    throw new BackendUnavailableError({
      backend: config.name,
      reason: `onnxruntime-node could not be loaded (install it: pnpm add onnxruntime-node): ${messageOf(error)}`,
      cause: error,
    });
  }
  const base: SessionOptions = {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    interOpNumThreads: 1,
    enableCpuMemArena: true,
    enableMemPattern: true,
    logSeverityLevel: 3,
    // Idle intra-op threads sleep instead of spinning: a step alternates between sessions and
    // JavaScript (the optimiser update), and spinning pools of other sessions steal its cores
    // (scripts/bench.ts: Gram-then-weights step 1.6–1.8× → 1.2–1.35× the plain step).
    extra: { session: { intra_op: { allow_spinning: '0' } } },
    ...(config.threads === undefined ? {} : { intraOpNumThreads: config.threads }),
  };
  const started: ExecutionProvider[] = [];
  const failures: string[] = [];
  const probe = probeModel();
  for (const provider of config.executionProviders) {
    const unavailable = checkProvider(provider);
    if (unavailable !== undefined) {
      failures.push(`${provider}: ${unavailable}${HINTS[provider] ?? ''}`);
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(probe, {
        ...base,
        executionProviders: [provider],
        logSeverityLevel: 4,
      });
      await session.release();
      started.push(provider);
    } catch (error) {
      failures.push(`${provider}: ${messageOf(error)}${HINTS[provider] ?? ''}`);
    }
  }
  if (started.length === 0) {
    throw new BackendUnavailableError({
      backend: config.name,
      reason:
        `no execution provider started (asked for ${config.executionProviders.join(', ')}; ` +
        `this onnxruntime-node offers: ${describeAvailable(ort)}). Failures: ${failures.join('; ')}`,
    });
  }
  return {
    ort,
    executionProviders: started,
    sessionOptions: { ...base, executionProviders: started },
    name: `onnx-${started[0]}`,
  };
}
