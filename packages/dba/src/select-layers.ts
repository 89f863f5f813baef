/**
 * One step's selection (README “One step”, steps 3–4): checks the per-layer Gram
 * matrices of the batch, selects S_ℓ per layer (`scope: 'layer'`) or one S on Σ_ℓ K_ℓ
 * (`scope: 'global'`), and turns the subsets into the per-layer example weights the model
 * applies in the same pass. Weights are float64 here and float32 at the model seam.
 */
import { NonFiniteError, ShapeMismatchError } from '@abs/core';
import { sumGrams } from './gram-summary';
import type { DbaScope } from './resolve-dba-config';
import { type SelectionOptions, selectSubset } from './select-subset';
import { type DbaUpdate, subsetWeights } from './subset-weights';

export interface LayerSelectionOptions extends Required<SelectionOptions> {
  /** N: every Gram must be N×N. */
  readonly size: number;
  /** Number of parameterised layers L: the model must return L Gram matrices. */
  readonly layers: number;
  readonly update: DbaUpdate;
  readonly scope: DbaScope;
  /** Step number, for error messages. */
  readonly step?: number;
}

export interface LayerSelection {
  /** Example weights: one array per layer (`layer`) or one shared array (`global`). */
  readonly weights: Float32Array | Float32Array[];
  /** |S_ℓ| per layer (the same value L times with `global`). */
  readonly selected: number[];
  /** Metric before and after selection, per layer (one entry with `global`). */
  readonly metricBefore: number[];
  readonly metricAfter: number[];
}

/**
 * @throws ShapeMismatchError when the model returned the wrong number or size of Gram matrices;
 *   NonFiniteError naming `gram[<layer>]` for a NaN or ±∞ entry
 */
export function selectLayers(grams: readonly Float64Array[], options: LayerSelectionOptions): LayerSelection {
  const { size, layers, update, scope, step } = options;
  if (grams.length !== layers) {
    throw new ShapeMismatchError({
      what: 'dba: gram (one matrix per layer)',
      expected: [layers],
      actual: [grams.length],
    });
  }
  grams.forEach((gram, layer) => {
    if (gram.length !== size * size) {
      throw new ShapeMismatchError({ what: `dba: gram[${layer}]`, expected: [size, size], actual: [gram.length] });
    }
    for (let k = 0; k < gram.length; k++) {
      const value = gram[k] as number;
      if (!Number.isFinite(value)) throw new NonFiniteError({ quantity: `gram[${layer}]`, value, step });
    }
  });
  const select = (gram: Float64Array) => {
    const selection = selectSubset(gram, options);
    return { selection, weights: Float32Array.from(subsetWeights(selection, update)) };
  };
  if (scope === 'global') {
    const { selection, weights } = select(sumGrams(grams));
    return {
      weights,
      selected: grams.map(() => selection.selected.length),
      metricBefore: [selection.metricBefore],
      metricAfter: [selection.metricAfter],
    };
  }
  const perLayer = grams.map(select);
  return {
    weights: perLayer.map((s) => s.weights),
    selected: perLayer.map((s) => s.selection.selected.length),
    metricBefore: perLayer.map((s) => s.selection.metricBefore),
    metricAfter: perLayer.map((s) => s.selection.metricAfter),
  };
}
