import { NonFiniteError, ShapeMismatchError } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { D3_LAYER_A, D3_LAYER_B, gramOf } from './__fixtures__/dba-vectors';
import { type LayerSelectionOptions, selectLayers } from './select-layers';

const column = (values: readonly number[]) => values.map((v) => [v]);
const grams = [gramOf(column(D3_LAYER_A)), gramOf(column(D3_LAYER_B))];
const options: LayerSelectionOptions = {
  metric: 'varmean',
  mode: 'threshold',
  tau: 0.5,
  minSubset: 2,
  size: 5,
  layers: 2,
  update: 'mean',
  scope: 'layer',
  step: 7,
};

describe('selectLayers', () => {
  it('TV-D3 per layer: float32 weights 1/3 on {1, 2, 4} and 1/4 on {0, 1, 2, 4}', () => {
    const s = selectLayers(grams, options);
    const third = Math.fround(1 / 3);
    expect(s.weights).toEqual([Float32Array.of(0, third, third, 0, third), Float32Array.of(0.25, 0.25, 0.25, 0, 0.25)]);
    expect(s.selected).toEqual([3, 4]);
    expect(s.metricBefore).toHaveLength(2);
    expect(s.metricAfter[0]).toBeLessThan(s.metricBefore[0] as number);
  });

  it('TV-D3 global: one shared array, 1/2 on {2, 4}; sumOverN weighs by 1/5', () => {
    const s = selectLayers(grams, { ...options, scope: 'global' });
    expect(s.weights).toEqual(Float32Array.of(0, 0, 0.5, 0, 0.5));
    expect(s.selected).toEqual([2, 2]);
    expect(s.metricBefore).toHaveLength(1);
    const f = Math.fround(0.2);
    expect(selectLayers(grams, { ...options, scope: 'global', update: 'sumOverN' }).weights).toEqual(
      Float32Array.of(0, 0, f, 0, f),
    );
  });

  it('names the first non-finite Gram entry by layer and step', () => {
    const second = Float64Array.from(grams[1] as Float64Array);
    second[7] = Number.NaN;
    const bad = [grams[0] as Float64Array, second];
    let error: unknown;
    try {
      selectLayers(bad, options);
    } catch (e) {
      error = e;
    }
    expect(NonFiniteError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('gram[1] is NaN at step 7');
  });

  it('rejects a wrong number or size of Gram matrices', () => {
    expect(() => selectLayers(grams.slice(0, 1), options)).toThrow(
      'dba: gram (one matrix per layer): expected shape [2], got [1]',
    );
    expect(() => selectLayers([grams[0] as Float64Array, new Float64Array(16)], options)).toThrow(
      'dba: gram[1]: expected shape [5, 5], got [16]',
    );
    expect(() => selectLayers(grams.slice(0, 1), options)).toThrow(ShapeMismatchError);
  });
});
