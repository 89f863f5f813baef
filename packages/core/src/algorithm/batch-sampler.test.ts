import { describe, expect, it } from 'vitest';
import { createSamplerState, sampleBatch } from './batch-sampler';

describe('sampleBatch', () => {
  it('covers every example exactly once per epoch, with any batch size per call', () => {
    let state = createSamplerState({ size: 10, seed: 3 });
    const seen: number[] = [];
    for (const size of [3, 1, 4, 2]) {
      const batch = sampleBatch(state, size);
      seen.push(...batch.indices);
      state = batch.state;
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(state).toMatchObject({ epoch: 1, position: 0, examplesSeen: 10 });
  });

  it("wraps into the next epoch's permutation by default and truncates on request", () => {
    const start = sampleBatch(createSamplerState({ size: 5, seed: 1 }), 4).state;
    const wrapped = sampleBatch(start, 3);
    expect(wrapped.indices.length).toBe(3);
    expect(wrapped.epochEnded).toBe(true);
    expect(wrapped.state).toMatchObject({ epoch: 1, position: 2, examplesSeen: 7 });
    const truncated = sampleBatch(start, 3, 'truncate');
    expect(truncated.indices.length).toBe(1);
    expect(truncated.state).toMatchObject({ epoch: 1, position: 0, examplesSeen: 5 });
  });

  it('is reproducible from a JSON round trip of its state and differs across seeds', () => {
    const a = sampleBatch(createSamplerState({ size: 100, seed: 9 }), 7).state;
    const resumed = JSON.parse(JSON.stringify(a));
    expect([...sampleBatch(resumed, 5).indices]).toEqual([...sampleBatch(a, 5).indices]);
    const other = sampleBatch(createSamplerState({ size: 100, seed: 10 }), 7);
    expect([...other.indices]).not.toEqual([...sampleBatch(createSamplerState({ size: 100, seed: 9 }), 7).indices]);
  });

  it('rejects batch sizes below 1, above the dataset or not integers', () => {
    const state = createSamplerState({ size: 5, seed: 0 });
    expect(() => sampleBatch(state, 0)).toThrow(
      'sampler: batchSize must be an integer in [1, the dataset size 5], got 0',
    );
    expect(() => sampleBatch(state, 6)).toThrow('got 6');
    expect(() => sampleBatch(state, 2.5)).toThrow('got 2.5');
    expect(() => createSamplerState({ size: 0, seed: 0 })).toThrow('sampler: size must be an integer ≥ 1, got 0');
  });
});
