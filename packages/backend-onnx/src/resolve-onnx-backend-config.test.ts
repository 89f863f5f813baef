import { describe, expect, it } from 'vitest';
import { resolveOnnxBackendConfig } from './resolve-onnx-backend-config';

describe('resolveOnnxBackendConfig', () => {
  it('defaults to the CPU provider and onnxruntime’s thread count', () => {
    expect(resolveOnnxBackendConfig()).toEqual({ executionProviders: ['cpu'], threads: undefined, name: 'onnx-cpu' });
  });

  it('names the backend after the first preferred provider', () => {
    const config = resolveOnnxBackendConfig({ executionProviders: ['cuda', 'cpu'], threads: 4 });
    expect(config).toEqual({ executionProviders: ['cuda', 'cpu'], threads: 4, name: 'onnx-cuda' });
  });

  it.each([
    [{ executionProviders: [] }, "onnxBackend: executionProviders must be a non-empty array of 'cpu' | 'cuda', got []"],
    [{ executionProviders: ['tpu'] }, "onnxBackend: executionProviders[0] must be one of 'cpu' | 'cuda', got \"tpu\""],
    [
      { executionProviders: ['cpu', 'cpu'] },
      'onnxBackend: executionProviders must be a list without duplicates, got ["cpu","cpu"]',
    ],
    [{ threads: 0 }, 'onnxBackend: threads must be an integer ≥ 1, got 0'],
    [{ threads: 1.5 }, 'onnxBackend: threads must be an integer ≥ 1, got 1.5'],
  ])('rejects %j', (options, message) => {
    expect(() => resolveOnnxBackendConfig(options as never)).toThrow(message);
  });
});
