/**
 * What every suite receives: the loaded backends, the data (loaded once, on demand), the
 * budget overrides from the command line, and the results document to append to.
 */
import type { Dataset } from '@abs/core';
import { fashionMnist, mnist } from '@abs/data';
import type { LoadedBackend } from './backends';
import type { BenchResults, RunRecord } from './results';
import type { DatasetName } from './suites/selection';

export type ReadyBackend = Extract<LoadedBackend, { backend: unknown }>;

export interface NamedData {
  readonly name: string;
  readonly train: Dataset;
  readonly test: Dataset;
}

export interface SuiteContext {
  /** The backends that loaded, in the order asked for. */
  readonly backends: readonly ReadyBackend[];
  /** The backend experiments run on (the first of `backends`). */
  readonly primary: ReadyBackend;
  readonly seeds: number;
  /** `--hidden`: the hidden widths a sweeping suite uses instead of its own. */
  readonly hidden: readonly number[] | undefined;
  /** `--ranks`: the MPI rank counts the scale suite compares. */
  readonly ranks: readonly number[] | undefined;
  readonly quick: boolean;
  /** `--steps` / `--examples` from the command line, overriding a suite's own budget. */
  readonly budget: { readonly steps: number } | { readonly examples: number } | undefined;
  /** `--algorithm`: exact names (see `SUITE_ALGORITHMS`); undefined runs every algorithm. */
  readonly algorithms: readonly string[] | undefined;
  /** `--dataset`: the datasets multi-dataset suites run (see `suiteDatasets`). */
  readonly datasets: readonly DatasetName[] | undefined;
  readonly results: BenchResults;
  /** Appends a finished run and saves the outputs, so an interrupted suite keeps every run it finished. */
  record(run: RunRecord): Promise<void>;
  readonly log: (line: string) => void;
  data(name: DatasetName): Promise<NamedData>;
}

export function dataLoader(quick: boolean): SuiteContext['data'] {
  const cache = new Map<string, Promise<NamedData>>();
  return (name) => {
    let entry = cache.get(name);
    if (!entry) {
      entry =
        name === 'mnist'
          ? mnist({ seed: 0 }).then((d) => ({ name, ...d }))
          : fashionMnist({ seed: 0, limitPerClass: quick ? 300 : 2000 }).then((d) => ({ name, ...d }));
      cache.set(name, entry);
    }
    return entry;
  };
}
