import { describe, expect, it } from 'vitest';
import { subsetWeights } from './subset-weights';

describe('subsetWeights', () => {
  it("'mean' weighs the subset by 1/|S|, 'sumOverN' by 1/N (README “Update”)", () => {
    expect(Array.from(subsetWeights({ selected: [0, 3], size: 5 }, 'mean'))).toEqual([0.5, 0, 0, 0.5, 0]);
    expect(Array.from(subsetWeights({ selected: [0, 3], size: 5 }, 'sumOverN'))).toEqual([0.2, 0, 0, 0.2, 0]);
    expect(Array.from(subsetWeights({ selected: [1, 2, 4], size: 5 }))).toEqual([0, 1 / 3, 1 / 3, 0, 1 / 3]);
  });

  it.each([
    [{ selected: [0], size: 2 }, 'sum', "subsetWeights: update must be one of 'mean' | 'sumOverN', got \"sum\""],
    [{ selected: [0], size: 0 }, 'mean', 'subsetWeights: size must be an integer ≥ 1, got 0'],
    [
      { selected: [], size: 2 },
      'mean',
      'subsetWeights: selected must be a non-empty list of distinct indices in [0, 2), got []',
    ],
    [
      { selected: [0, 2], size: 2 },
      'mean',
      'subsetWeights: selected must be a non-empty list of distinct indices in [0, 2), got [0,2]',
    ],
    [
      { selected: [1, 1], size: 2 },
      'mean',
      'subsetWeights: selected must be a non-empty list of distinct indices in [0, 2), got [1,1]',
    ],
  ])('rejects %j with %s', (selection, update, message) => {
    expect(() => subsetWeights(selection, update as never)).toThrow(message);
  });
});
