import { createRng } from '@abs/core';
import { describe, expect, it } from 'vitest';
import {
  D0_GRADIENTS,
  D1_GRADIENTS,
  D3_LAYER_A,
  D3_LAYER_B,
  gramOf,
  printedDecimals,
  weightedSum,
} from './__fixtures__/dba-vectors';
import { sumGrams, summarizeGram } from './gram-summary';
import { defaultMinSubset, type Selection, type SelectionOptions, selectSubset } from './select-subset';
import { subsetMetric } from './subset-metric';
import { subsetWeights } from './subset-weights';

const close = (actual: number | undefined, printed: string) =>
  expect(actual).toBeCloseTo(Number(printed), printedDecimals(printed));

/** metric(S) along the greedy path: the start value, then after each removal. */
const path = (s: Selection) => [s.metricBefore, ...s.removed.map((r) => r.metric)];

/** Ratio of each candidate (accepted, then the rejected one) to the metric it had to beat. */
function ratios(s: Selection): number[] {
  const values = path(s);
  const out = s.removed.map((r, k) => r.metric / (values[k] as number));
  if (s.rejected) out.push(s.rejected.metric / (values.at(-1) as number));
  return out;
}

const update = (gradients: readonly (readonly number[])[], s: Selection, mode: 'mean' | 'sumOverN' = 'mean') =>
  weightedSum(gradients, subsetWeights(s, mode));

const column = (values: readonly number[]) => values.map((v) => [v]);

describe('selectSubset: TV-D1 (1-D least squares, argmin, m_min = 2)', () => {
  // g_i = (w·x_i − y_i)·x_i at w = 0, x_i = 1: g = −y = [−1.00, −1.32, −0.81, −1.12, +3.00].
  const gram = gramOf(D1_GRADIENTS);

  it('varmean path 0.533616 → {4} 0.00857969 → {1} 0.00542963 → {2} 0.0018, S = {0, 3}', () => {
    const s = selectSubset(gram, { metric: 'varmean', mode: 'argmin', minSubset: 2 });
    expect(s.removed.map((r) => r.index)).toEqual([4, 1, 2]);
    ['0.533616', '0.00857969', '0.00542963', '0.0018'].forEach((v, k) => close(path(s)[k], v));
    expect(s.selected).toEqual([0, 3]);
    expect(s.metricAfter).toBe(s.removed.at(-1)?.metric);
    // Update = mean of g_0, g_3 = (−1 − 1.12)/2 = −1.06; SGD η = 0.1 from w = 0: w = 0.106.
    const [g] = update(D1_GRADIENTS, s);
    expect(g).toBeCloseTo(-1.06, 12);
    expect(0 - 0.1 * (g as number)).toBeCloseTo(0.106, 12);
  });

  it('matches the exhaustive optimum over pairs; the runner-up {0, 2} has 0.0045125', () => {
    const pairs: [number[], number][] = [];
    for (let i = 0; i < 5; i++) {
      for (let j = i + 1; j < 5; j++) pairs.push([[i, j], subsetMetric('varmean', summarizeGram(gram, [i, j]))]);
    }
    pairs.sort((a, b) => a[1] - b[1]);
    // {0, 3}: mean −1.06, T = 0.06² = 0.0036, varmean = 0.0018; {0, 2}: T = 0.095², varmean = 0.0045125.
    expect(pairs[0]?.[0]).toEqual([0, 3]);
    close(pairs[0]?.[1], '0.0018');
    expect(pairs[1]?.[0]).toEqual([0, 2]);
    close(pairs[1]?.[1], '0.0045125');
  });

  it('nsr path 8.537856 → {4} 0.0076 → {2} 0.0044168 → {1} 0.00160199, S = {0, 3}', () => {
    const s = selectSubset(gram, { metric: 'nsr', mode: 'argmin', minSubset: 2 });
    expect(s.removed.map((r) => r.index)).toEqual([4, 2, 1]);
    ['8.537856', '0.0076', '0.0044168', '0.00160199'].forEach((v, k) => close(path(s)[k], v));
    expect(s.selected).toEqual([0, 3]);
  });

  it('argmin ends at |S| = m_min (random gradients, every metric and m_min)', () => {
    const rng = createRng(7);
    const gradients = Array.from({ length: 12 }, () => Array.from({ length: 3 }, () => rng.nextNormal()));
    for (const metric of ['varmean', 'nsr', 'var'] as const) {
      for (const minSubset of [1, 2, 5, 11]) {
        expect(selectSubset(gramOf(gradients), { metric, mode: 'argmin', minSubset }).selected).toHaveLength(minSubset);
      }
    }
  });
});

describe('selectSubset: TV-D2 (threshold, τ = 0.5, m_min = 2)', () => {
  it('D1 data: remove 4 (ratio 0.016078), stop at 0.632847; mean −1.0625, sumOverN −0.85', () => {
    const s = selectSubset(gramOf(D1_GRADIENTS), { metric: 'varmean', mode: 'threshold', tau: 0.5, minSubset: 2 });
    expect(s.removed.map((r) => r.index)).toEqual([4]);
    const [first, stop] = ratios(s);
    close(first, '0.016078');
    close(stop, '0.632847');
    expect(s.selected).toEqual([0, 1, 2, 3]);
    // (−1 − 1.32 − 0.81 − 1.12)/4 = −4.25/4 = −1.0625; −4.25/5 = −0.85.
    expect(update(D1_GRADIENTS, s)[0]).toBeCloseTo(-1.0625, 12);
    expect(update(D1_GRADIENTS, s, 'sumOverN')[0]).toBeCloseTo(-0.85, 12);
  });

  it('D1 data with nsr: the same S (ratios 0.00089, then 0.581158)', () => {
    const s = selectSubset(gramOf(D1_GRADIENTS), { metric: 'nsr', tau: 0.5, minSubset: 2 });
    expect(s.selected).toEqual([0, 1, 2, 3]);
    const [first, stop] = ratios(s);
    close(first, '0.00089');
    close(stop, '0.581158');
  });

  it('D0 data: remove 4 (0.012901 varmean, 0.007175 nsr), stop (0.777409, 0.839796); update [0.986, 0.062]', () => {
    const gram = gramOf(D0_GRADIENTS);
    const varmean = selectSubset(gram, { metric: 'varmean', tau: 0.5, minSubset: 2 });
    const nsr = selectSubset(gram, { metric: 'nsr', tau: 0.5, minSubset: 2 });
    for (const [s, first, stop] of [
      [varmean, '0.012901', '0.777409'],
      [nsr, '0.007175', '0.839796'],
    ] as const) {
      expect(s.removed.map((r) => r.index)).toEqual([4]);
      close(ratios(s)[0], first);
      close(ratios(s)[1], stop);
      expect(s.selected).toEqual([0, 1, 2, 3, 5]);
      // ((1 + 0.8 + 1.15 + 1.05 + 0.93)/5, (0 + 0.15 − 0.1 + 0.22 + 0.04)/5) = (4.93/5, 0.31/5).
      const [a, b] = update(D0_GRADIENTS, s);
      expect(a).toBeCloseTo(0.986, 12);
      expect(b).toBeCloseTo(0.062, 12);
    }
  });

  it('D0 data in argmin mode: S = {0, 5}, update [0.965, 0.02]', () => {
    const s = selectSubset(gramOf(D0_GRADIENTS), { metric: 'varmean', mode: 'argmin', minSubset: 2 });
    expect(s.selected).toEqual([0, 5]);
    // ((1 + 0.93)/2, (0 + 0.04)/2).
    const [a, b] = update(D0_GRADIENTS, s);
    expect(a).toBeCloseTo(0.965, 12);
    expect(b).toBeCloseTo(0.02, 12);
  });
});

describe('selectSubset: TV-D3 (per-layer independence, threshold τ = 0.5, m_min = 2)', () => {
  const options = { metric: 'varmean', tau: 0.5, minSubset: 2 } as const;

  it('layer A: remove 0 (0.002682), then 3 (0.406349), stop (0.5625); S_A = {1, 2, 4}, update 1.05', () => {
    const s = selectSubset(gramOf(column(D3_LAYER_A)), options);
    expect(s.removed.map((r) => r.index)).toEqual([0, 3]);
    ['0.002682', '0.406349', '0.5625'].forEach((v, k) => close(ratios(s)[k], v));
    expect(s.selected).toEqual([1, 2, 4]);
    // (1 + 1.1 + 1.05)/3 = 1.05.
    expect(update(column(D3_LAYER_A), s)[0]).toBeCloseTo(1.05, 12);
  });

  it('layer B: remove 3 (0.00382), stop (0.711111); S_B = {0, 1, 2, 4}, update 0.525', () => {
    const s = selectSubset(gramOf(column(D3_LAYER_B)), options);
    expect(s.removed.map((r) => r.index)).toEqual([3]);
    ['0.00382', '0.711111'].forEach((v, k) => close(ratios(s)[k], v));
    expect(s.selected).toEqual([0, 1, 2, 4]);
    // (0.5 + 0.45 + 0.6 + 0.55)/4 = 0.525.
    expect(update(column(D3_LAYER_B), s)[0]).toBeCloseTo(0.525, 12);
  });

  it('global scope on K_A + K_B: S = {2, 4}, update [1.075, 0.575] (not the per-layer answer)', () => {
    const joint = D3_LAYER_A.map((a, i) => [a, D3_LAYER_B[i] as number]);
    const s = selectSubset(sumGrams([gramOf(column(D3_LAYER_A)), gramOf(column(D3_LAYER_B))]), options);
    expect(s.selected).toEqual([2, 4]);
    const [a, b] = update(joint, s);
    expect(a).toBeCloseTo(1.075, 12);
    expect(b).toBeCloseTo(0.575, 12);
  });

  it('nsr: the same S_A and S_B; global nsr keeps all samples, update [1.81, 0.02]', () => {
    const nsr = { ...options, metric: 'nsr' } as const;
    expect(selectSubset(gramOf(column(D3_LAYER_A)), nsr).selected).toEqual([1, 2, 4]);
    expect(selectSubset(gramOf(column(D3_LAYER_B)), nsr).selected).toEqual([0, 1, 2, 4]);
    const joint = D3_LAYER_A.map((a, i) => [a, D3_LAYER_B[i] as number]);
    const s = selectSubset(gramOf(joint), nsr);
    expect(s.selected).toEqual([0, 1, 2, 3, 4]);
    // (9.05/5, 0.1/5).
    const [a, b] = update(joint, s);
    expect(a).toBeCloseTo(1.81, 12);
    expect(b).toBeCloseTo(0.02, 12);
  });
});

describe('selectSubset: TV-D4 (invariances)', () => {
  const rng = createRng(11);
  // Nine random 3-D gradients around (1, −0.5, 0) plus one outlier (index 9), so every mode removes something.
  const gradients = [
    ...Array.from({ length: 9 }, () => [
      1 + 0.2 * rng.nextNormal(),
      -0.5 + 0.2 * rng.nextNormal(),
      0.2 * rng.nextNormal(),
    ]),
    [-4, 3, 1],
  ];
  const settings: SelectionOptions[] = (['varmean', 'nsr', 'var'] as const).flatMap((metric) =>
    (['threshold', 'argmin'] as const).map((mode) => ({ metric, mode, minSubset: 2 })),
  );

  it('all N gradients identical: nothing is removed and the update is the shared gradient', () => {
    for (const shared of [
      [0.3, -0.7, 1.2],
      [0, 0, 0],
      [1e-3, 1e3, 7],
    ]) {
      const same = Array.from({ length: 7 }, () => shared);
      for (const options of settings) {
        const s = selectSubset(gramOf(same), options);
        expect(s.selected).toEqual([0, 1, 2, 3, 4, 5, 6]);
        expect(s.metricBefore).toBe(0);
        update(same, s).forEach((v, e) => expect(v).toBeCloseTo(shared[e] as number, 9));
      }
    }
  });

  it('permuting the samples permutes S accordingly', () => {
    const order = [3, 9, 0, 7, 1, 8, 5, 2, 6, 4]; // permuted[k] = gradients[order[k]]
    const permuted = order.map((i) => gradients[i] as number[]);
    for (const options of settings) {
      const base = selectSubset(gramOf(gradients), options).selected;
      const moved = selectSubset(gramOf(permuted), options).selected.map((k) => order[k]);
      expect(moved.sort((a, b) => (a as number) - (b as number))).toEqual(base);
    }
    expect(selectSubset(gramOf(gradients), { minSubset: 2 }).removed.map((r) => r.index)).toEqual([9]);
  });

  it('ties go to the smallest index', () => {
    // g = [1, 1, 1, 8, 8], m_min = 4: varmean 2.352 of all five; without sample 3 or 4 (equal, since
    // K_33 = K_44 = 64 and u_3 = u_4 = 8·19) it is 9.1875/4 = 2.296875, without a 1 it is 12.25/4.
    const s = selectSubset(gramOf(column([1, 1, 1, 8, 8])), { mode: 'argmin', minSubset: 4 });
    expect(s.removed).toEqual([{ index: 3, metric: 2.296875 }]);
    // Mirrored, the tie is between 0 and 1: index 0 goes.
    expect(selectSubset(gramOf(column([8, 8, 1, 1, 1])), { mode: 'argmin', minSubset: 4 }).removed[0]?.index).toBe(0);
  });

  it('scaling every gradient by c > 0 leaves S unchanged (varmean and nsr)', () => {
    for (const c of [1e-3, 0.37, 3, 1e4]) {
      const scaled = gradients.map((g) => g.map((v) => c * v));
      for (const options of settings.filter((o) => o.metric !== 'var')) {
        expect(selectSubset(gramOf(scaled), options).selected).toEqual(
          selectSubset(gramOf(gradients), options).selected,
        );
      }
    }
  });
});

describe('selectSubset: options and edges', () => {
  it('defaults: varmean, threshold, τ = 0.5, m_min = max(2, ⌈N/4⌉)', () => {
    expect([2, 3, 8, 9, 64].map(defaultMinSubset)).toEqual([2, 2, 2, 3, 16]);
    const gram = gramOf(D0_GRADIENTS);
    expect(selectSubset(gram)).toEqual(
      selectSubset(gram, { metric: 'varmean', mode: 'threshold', tau: 0.5, minSubset: 2 }),
    );
  });

  it('N ≤ m_min: nothing can be removed', () => {
    const s = selectSubset(gramOf(D0_GRADIENTS), { mode: 'argmin', minSubset: 6 });
    expect(s.selected).toEqual([0, 1, 2, 3, 4, 5]);
    expect(s.removed).toEqual([]);
    expect(s.rejected).toBeUndefined();
  });

  it('τ = 0 in threshold mode is argmin', () => {
    const gram = gramOf(D0_GRADIENTS);
    expect(selectSubset(gram, { tau: 0 }).selected).toEqual(selectSubset(gram, { mode: 'argmin' }).selected);
  });

  it.each([
    [{ metric: 'rob' }, "selectSubset: metric must be one of 'varmean' | 'nsr' | 'var', got \"rob\""],
    [{ mode: 'greedy' }, "selectSubset: mode must be one of 'threshold' | 'argmin', got \"greedy\""],
    [{ tau: 1 }, 'selectSubset: tau must be a finite number in [0, 1), got 1'],
    [{ minSubset: 0 }, 'selectSubset: minSubset must be an integer ≥ 1, got 0'],
  ])('rejects %j', (options, message) => {
    expect(() => selectSubset(gramOf(D0_GRADIENTS), options as never)).toThrow(message);
  });

  it('rejects an empty or non-square Gram', () => {
    expect(() => selectSubset(new Float64Array(0))).toThrow('selectSubset: the batch is empty (0 examples)');
    expect(() => selectSubset(new Float64Array(3))).toThrow(
      'selectSubset (a square N×N matrix): expected shape [2, 2], got [3]',
    );
  });
});
