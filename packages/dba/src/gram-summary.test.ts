import { EmptyBatchError, InvalidArgumentError, ShapeMismatchError } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { gramOf } from './__fixtures__/dba-vectors';
import { gramSize, sumGrams, summarizeGram } from './gram-summary';

describe('gram summaries', () => {
  it('(n, Q, P) of the docs example: g = [1, 3] → n = 2, Q = 1 + 9 = 10, P = (1 + 3)² = 16', () => {
    expect(summarizeGram(Float64Array.of(1, 3, 3, 9))).toEqual({
      size: 2,
      sumOfSquaredNorms: 10,
      squaredNormOfSum: 16,
    });
    expect(summarizeGram(Float64Array.of(1, 3, 3, 9), [1])).toEqual({
      size: 1,
      sumOfSquaredNorms: 9,
      squaredNormOfSum: 9,
    });
  });

  it('P equals ‖Σ g_i‖² of the concatenation when the layers are summed', () => {
    const a = [[1], [2], [-1]];
    const b = [[0.5], [0], [3]];
    const total = sumGrams([gramOf(a), gramOf(b)]);
    expect(Array.from(total)).toEqual(Array.from(gramOf(a.map((g, i) => [...g, ...(b[i] as number[])]))));
    // Σ g = (2, 3.5) → P = 4 + 12.25.
    expect(summarizeGram(total).squaredNormOfSum).toBe(16.25);
  });

  it('rejects empty, non-square and mismatched inputs', () => {
    expect(() => gramSize(new Float64Array(0))).toThrow(EmptyBatchError);
    expect(() => gramSize(new Float64Array(0))).toThrow('gram: the batch is empty (0 examples)');
    expect(() => gramSize(new Float64Array(5))).toThrow('gram (a square N×N matrix): expected shape [2, 2], got [5]');
    expect(ShapeMismatchError.isInstance(catchError(() => gramSize(new Float64Array(5))))).toBe(true);
    expect(() => summarizeGram(new Float64Array(4), [2])).toThrow('summarizeGram: subset index 2 is outside [0, 2)');
    expect(InvalidArgumentError.isInstance(catchError(() => summarizeGram(new Float64Array(4), [-1])))).toBe(true);
    expect(() => sumGrams([])).toThrow('sumGrams (no layers): the batch is empty (0 examples)');
    expect(() => sumGrams([new Float64Array(4), new Float64Array(9)])).toThrow('gram[1]: expected shape [4], got [9]');
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}
