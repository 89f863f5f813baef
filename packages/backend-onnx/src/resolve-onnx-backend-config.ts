/**
 * Validates `onnxBackend` options once, at creation, and applies defaults: the ordered
 * execution-provider list (default `['cpu']`) and the intra-op thread count (default:
 * onnxruntime's own choice, one per physical core).
 */
import { checker } from '@abs/core';

export const EXECUTION_PROVIDERS = ['cpu', 'cuda'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];

export interface OnnxBackendOptions {
  /**
   * Execution providers in order of preference (default `['cpu']`). The first that starts
   * runs the model (onnxruntime places operators it lacks on the CPU); if none starts,
   * compiling fails with a `BackendUnavailableError` listing every failure.
   */
  readonly executionProviders?: readonly ExecutionProvider[];
  /** Intra-op threads of each session (default: onnxruntime's choice). */
  readonly threads?: number;
}

export interface OnnxBackendConfig {
  readonly executionProviders: readonly ExecutionProvider[];
  readonly threads: number | undefined;
  /** `onnx-<first preferred provider>`, e.g. `'onnx-cpu'`. */
  readonly name: string;
}

export function resolveOnnxBackendConfig(options: OnnxBackendOptions = {}): OnnxBackendConfig {
  const c = checker('onnxBackend');
  const requested = options.executionProviders ?? ['cpu'];
  c.check(
    Array.isArray(requested) && requested.length > 0,
    'executionProviders',
    requested,
    "a non-empty array of 'cpu' | 'cuda'",
  );
  const executionProviders = requested.map((ep, i) => c.oneOf(`executionProviders[${i}]`, ep, EXECUTION_PROVIDERS));
  c.check(
    new Set(executionProviders).size === executionProviders.length,
    'executionProviders',
    requested,
    'a list without duplicates',
  );
  const threads = options.threads === undefined ? undefined : c.integer('threads', options.threads, { gte: 1 });
  return { executionProviders, threads, name: `onnx-${executionProviders[0]}` };
}
