import * as core from '@abs/core';
import { describe, expect, it } from 'vitest';
import * as data from './index';

describe('@abs/data barrel', () => {
  it("re-exports core's sampler itself, not a copy", () => {
    expect(data.createSamplerState).toBe(core.createSamplerState);
    expect(data.sampleBatch).toBe(core.sampleBatch);
    const batch = data.sampleBatch(data.createSamplerState({ size: 10, seed: 1 }), 4);
    expect(new Set(batch.indices).size).toBe(4);
  });

  it('exports only named values (no default export)', () => {
    expect(Object.keys(data)).not.toContain('default');
  });
});
