import { createSamplerState, sampleBatch } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { sampleWithoutReplacement, sampleWithReplacement, splitDataset, updatesPerDecision } from './data-split';

describe('A7. T, agent updates per decision', () => {
  it('CIFAR-10 train split (40,000), B = 128, schedInterval 1: 313 = ⌈40000/128⌉', () => {
    expect(splitDataset(50000, 0.8)).toEqual({ trainSize: 40000, validationSize: 10000 });
    expect(updatesPerDecision(40000, 128, 1)).toBe(313);
  });

  it('the truncating sampler gives exactly that many batches per epoch, the last one smaller', () => {
    // 312·128 = 39936, so the 313th batch holds the remaining 64 examples.
    let state = createSamplerState({ size: 40000, seed: 1 });
    const sizes: number[] = [];
    for (;;) {
      const batch = sampleBatch(state, 128, 'truncate');
      sizes.push(batch.indices.length);
      state = batch.state;
      if (batch.epochEnded) break;
    }
    expect(sizes.length).toBe(313);
    expect(sizes.at(-1)).toBe(64);
  });

  it('a batch size above the training set gives one full batch per epoch', () => {
    expect(updatesPerDecision(100, 512, 2)).toBe(2);
  });
});

describe('data split and validation draws', () => {
  it('rejects a fraction that leaves a part empty', () => {
    expect(() => splitDataset(3, 0.2)).toThrow(
      'arbiter: trainFraction must be in (0, 1) leaving both parts non-empty for a dataset of 3 examples, got 0.2',
    );
    expect(() => splitDataset(1, 0.9)).toThrow('got 0.9');
  });

  it('observation batches are distinct, inside the validation range and seeded', () => {
    const draw = { size: 50, count: 20, offset: 200, seed: 5 };
    const a = sampleWithoutReplacement(draw);
    expect(new Set(a).size).toBe(20);
    for (const i of a) expect(i >= 200 && i < 250).toBe(true);
    expect(Array.from(sampleWithoutReplacement(draw))).toEqual(Array.from(a));
    // The whole range when count = size.
    expect([...sampleWithoutReplacement({ ...draw, count: 50 })].sort((x, y) => x - y)).toEqual(
      Array.from({ length: 50 }, (_, i) => 200 + i),
    );
  });

  it('meta-batches are drawn with replacement, so any size works', () => {
    const a = sampleWithReplacement({ size: 3, count: 40, offset: 7, seed: 2 });
    expect(a.length).toBe(40);
    for (const i of a) expect(i >= 7 && i < 10).toBe(true);
    expect(new Set(a).size).toBe(3);
  });
});
