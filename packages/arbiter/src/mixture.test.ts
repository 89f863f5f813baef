import { describe, expect, it } from 'vitest';
import { batchSizeOf } from './batch-size-map';
import { argmaxFirst, mixLogits, routeToOutputs, softmax, sortedCandidates } from './mixture';

const range = { sMin: 8, sMax: 512, fidelity: 'corrected' } as const;

describe('A2. mixture', () => {
  it('l = [−2, −1, 0.5, 1], α = 0: π = 1/4, l_α = −0.375, B = 213', () => {
    const pi = softmax([0, 0, 0, 0]);
    expect(Array.from(pi)).toEqual([0.25, 0.25, 0.25, 0.25]);
    // l_α = (−2 − 1 + 0.5 + 1)/4 = −0.375
    const lAlpha = mixLogits(pi, [-2, -1, 0.5, 1]);
    expect(lAlpha).toBe(-0.375);
    // B = ⌊504·σ(−0.375) + 8⌋ = ⌊504·0.407333 + 8⌋ = ⌊213.296⌋ = 213
    expect(504 * (1 / (1 + Math.exp(0.375))) + 8).toBeCloseTo(213.296, 3);
    expect(batchSizeOf(lAlpha, range)).toBe(213);
  });
});

describe('candidates', () => {
  it('average rows, sort ascending and keep the permutation', () => {
    // Column means of [[1, −3, 0, 2], [0, −1, 1, 0]] are [0.5, −2, 0.5, 1]: sorted
    // [−2, 0.5, 0.5, 1] from columns [1, 0, 2, 3] (the tie keeps column order).
    const { logits, permutation } = sortedCandidates([1, -3, 0, 2, 0, -1, 1, 0], 2, 4);
    expect(Array.from(logits)).toEqual([-2, 0.5, 0.5, 1]);
    expect(Array.from(permutation)).toEqual([1, 0, 2, 3]);
  });

  it('route ∂F/∂l_j to column perm(j) with 1/b per row', () => {
    const upstream = routeToOutputs([4, 8], Int32Array.from([1, 0]), 4);
    // l_0 came from column 1, l_1 from column 0; each row gets 1/4 of the gradient.
    expect(Array.from(upstream)).toEqual([2, 1, 2, 1, 2, 1, 2, 1]);
  });

  it('argmax ties go to the smallest index', () => {
    expect(argmaxFirst([0, 3, 3, 1])).toBe(1);
    expect(argmaxFirst([2, 2])).toBe(0);
  });
});
