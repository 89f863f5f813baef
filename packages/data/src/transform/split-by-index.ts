/**
 * Split by position: the first ⌊fraction·size⌋ examples and the rest, in order. This is
 * the split Arbiter's reference uses for its validation set (@abs/arbiter README “Data split”:
 * the first 80 % train, the last 20 % validate; 50,000 → 40,000 + 10,000).
 */
import { checker, type Dataset } from '@abs/core';
import { gather } from './take';

export interface IndexSplit {
  /** Examples `[0, n₁)`, named `<name>[:n₁]`. */
  readonly first: Dataset;
  /** Examples `[n₁, size)`, named `<name>[n₁:]`. */
  readonly rest: Dataset;
}

/**
 * ⌊fraction·size⌋, computed at 12 significant digits so that products that are integers on
 * paper stay integers (0.29·100 is 28.999999999999996 in binary floating point).
 */
export function floorOfProduct(fraction: number, size: number): number {
  return Math.floor(Number((fraction * size).toPrecision(12)));
}

/**
 * @param dataset - source dataset (kept in order; shuffle first if it is sorted)
 * @param fraction - share of the first part, in (0, 1); both parts must be non-empty
 * @example
 * const { first, rest } = splitByIndex(data, 0.8); // data.size 50000
 * [first.size, rest.size]; // [40000, 10000]
 */
export function splitByIndex(dataset: Dataset, fraction: number): IndexSplit {
  const check = checker('splitByIndex');
  check.number('fraction', fraction, { gt: 0, lt: 1 });
  const cut = floorOfProduct(fraction, dataset.size);
  check.check(
    cut >= 1 && cut < dataset.size,
    'fraction',
    fraction,
    `such that both parts of ${dataset.size} examples are non-empty (⌊fraction·size⌋ = ${cut})`,
  );
  const range = (from: number, to: number) => Int32Array.from({ length: to - from }, (_, i) => from + i);
  return {
    first: gather(dataset, range(0, cut), `${dataset.name}[:${cut}]`),
    rest: gather(dataset, range(cut, dataset.size), `${dataset.name}[${cut}:]`),
  };
}
