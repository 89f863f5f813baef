/**
 * Stratified, seeded subsets for data-scarce experiments. Each class's examples are
 * shuffled with their own stream, `deriveSeed(seed, 'subset', class)`, and the first k are
 * kept, so for one seed a smaller subset is always contained in a larger one. The chosen
 * examples keep their original order.
 */
import { checker, createRng, type Dataset, deriveSeed } from '@abs/core';
import { gather } from './take';

/** How many examples to keep: a count per class, or a share of every class. */
export type SubsetSelection =
  | { readonly perClass: number; readonly fraction?: never }
  | { readonly fraction: number; readonly perClass?: never };

export interface SubsetOptions {
  /** Seed of the per-class shuffles; default 0. */
  readonly seed?: number;
}

/**
 * @param dataset - labelled dataset (`fraction` also works without labels: uniform sampling)
 * @param selection - `{ perClass: k }` keeps k examples of every class present (k must not
 *   exceed the smallest class); `{ fraction: f }` keeps max(1, round(f·n_c)) of each class c
 * @param options - `seed`
 * @example
 * const small = subset(data.train, { perClass: 10 }, { seed: 3 });
 * small.size; // 100 for the 10 MNIST classes
 */
export function subset(dataset: Dataset, selection: SubsetSelection, options: SubsetOptions = {}): Dataset {
  const check = checker('subset');
  const seed = check.integer('seed', options.seed ?? 0, { gte: 0, lte: 0xffffffff });
  const { perClass, fraction } = selection as { perClass?: unknown; fraction?: unknown };
  check.check(
    (perClass === undefined) !== (fraction === undefined),
    'selection',
    selection,
    'exactly one of { perClass } or { fraction }',
  );
  const groups = groupByClass(dataset);
  let counts: number[];
  if (perClass !== undefined) {
    check.check(dataset.labels !== undefined, 'perClass', perClass, 'used with a labelled dataset');
    const smallest = Math.min(...groups.map((g) => g.length));
    check.integer('perClass', perClass, {
      gte: 1,
      lte: smallest,
      names: { lte: `the smallest class size ${smallest}` },
    });
    counts = groups.map(() => perClass as number);
  } else {
    const share = check.number('fraction', fraction, { gt: 0, lte: 1 });
    counts = groups.map((g) => Math.max(1, Math.round(share * g.length)));
  }
  const chosen: number[] = [];
  groups.forEach((group, g) => {
    const order = Int32Array.from(group);
    createRng(deriveSeed(seed, 'subset', classOf(dataset, group))).shuffle(order);
    for (let i = 0; i < (counts[g] as number); i++) chosen.push(order[i] as number);
  });
  chosen.sort((a, b) => a - b);
  return gather(dataset, chosen, `${dataset.name}/subset`);
}

/** Indices of each non-empty class in order; one group of everything when unlabelled. */
function groupByClass(dataset: Dataset): number[][] {
  const { labels } = dataset;
  if (!labels) return [Array.from({ length: dataset.size }, (_, i) => i)];
  const groups = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    const group = groups.get(label);
    if (group) group.push(i);
    else groups.set(label, [i]);
  }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([, group]) => group);
}

const classOf = (dataset: Dataset, group: readonly number[]): number =>
  dataset.labels ? (dataset.labels[group[0] as number] as number) : 0;
