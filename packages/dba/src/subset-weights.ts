/**
 * Per-example weights that turn a selected subset S_ℓ into the layer's update
 * ĝ_ℓ = Σ_i w_ℓ,i g_i^ℓ (README “Update”):
 *   `mean`     (default)  w_i = 1/|S| for i ∈ S, else 0  → ĝ = μ_S
 *   `sumOverN` (ablation) w_i = 1/N   for i ∈ S, else 0  → ĝ = (1/N) Σ_{i∈S} g_i, a step shrunk by |S|/N
 */
import { checker } from '@abs/core';

export type DbaUpdate = 'mean' | 'sumOverN';

/**
 * @param selection the kept indices and the pool size N
 * @param update `'mean'` or `'sumOverN'`
 * @returns N weights in float64
 * @example
 * subsetWeights({ selected: [0, 3], size: 5 }, 'mean'); // Float64Array [0.5, 0, 0, 0.5, 0]
 * subsetWeights({ selected: [0, 3], size: 5 }, 'sumOverN'); // Float64Array [0.2, 0, 0, 0.2, 0]
 * @see README “Update”
 */
export function subsetWeights(
  selection: { readonly selected: readonly number[]; readonly size: number },
  update: DbaUpdate = 'mean',
): Float64Array {
  const c = checker('subsetWeights');
  c.oneOf('update', update, ['mean', 'sumOverN']);
  const { selected, size } = selection;
  c.integer('size', size, { gte: 1 });
  c.check(
    selected.length > 0 &&
      new Set(selected).size === selected.length &&
      selected.every((i) => Number.isInteger(i) && i >= 0 && i < size),
    'selected',
    selected,
    `a non-empty list of distinct indices in [0, ${size})`,
  );
  const weights = new Float64Array(size);
  const w = 1 / (update === 'mean' ? selected.length : size);
  for (const i of selected) weights[i] = w;
  return weights;
}
