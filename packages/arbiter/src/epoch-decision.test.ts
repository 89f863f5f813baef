import { describe, expect, it } from 'vitest';
import { batchSizeOf } from './batch-size-map';
import { decideBatchSize, drawAlpha } from './epoch-decision';
import { mixLogits, softmax } from './mixture';

const range = { sMin: 8, sMax: 512, fidelity: 'corrected' } as const;
const l = [-2, -1, 0.5, 1]; // sorted logits from A2

describe('A4. epoch-end decision', () => {
  const alpha = [0.1, 0.5, -0.2, 0.0];

  it('π = [0.241693, 0.360564, 0.179051, 0.218693], so j* = 1', () => {
    // e^α = [1.105171, 1.648721, 0.818731, 1]; Σ = 4.572623
    const pi = softmax(alpha);
    [0.241693, 0.360564, 0.179051, 0.218693].forEach((v, j) => expect(pi[j]).toBeCloseTo(v, 6));
    expect(decideBatchSize(alpha, l, range).chosenIndex).toBe(1);
  });

  it('B_next = ⌊504·σ(−1) + 8⌋ = 143, not B(l_α) = B(−0.535731) = 194', () => {
    // 504·0.268941 + 8 = 143.546
    expect(decideBatchSize(alpha, l, range).nextBatchSize).toBe(143);
    const lAlpha = mixLogits(softmax(alpha), l);
    expect(lAlpha).toBeCloseTo(-0.535731, 6);
    expect(batchSizeOf(lAlpha, range)).toBe(194);
  });

  it('α is re-drawn at scale 1e-6, reproducibly per seed', () => {
    const a = drawAlpha(4, 1e-6, 11);
    expect(Array.from(a)).toEqual(Array.from(drawAlpha(4, 1e-6, 11)));
    expect(Array.from(a)).not.toEqual(Array.from(drawAlpha(4, 1e-6, 12)));
    for (const v of a) expect(Math.abs(v)).toBeLessThan(1e-5);
    expect(a.some((v) => v !== 0)).toBe(true);
  });

  it('ties in α go to the smallest index', () => {
    expect(decideBatchSize([0.3, 0.3, 0.3, 0.3], l, range)).toEqual({
      chosenIndex: 0,
      nextBatchSize: batchSizeOf(-2, range),
    });
  });
});
