/**
 * What every suite receives: the loaded backends, the data (loaded once, on demand), the
 * budget overrides from the command line, and the results document to append to.
 */
import type { Dataset } from '@abs/core';
import { cifar10, fashionMnist, mnist } from '@abs/data';
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
  /** `--data-dir`: the folder of the extracted CIFAR-10 binary archive, when given. */
  readonly dataDir: string | undefined;
  /**
   * Images (`featureShape` [h, w, c]) for conv nets, named by their sizes (`mnist 8000/2000`):
   * `perClass` training images of each class and a quarter as many test images (MNIST and
   * Fashion-MNIST: split 80/20 per class; CIFAR-10: the first images of each class in the
   * official training and test files, standardised per channel), or `'all'`: the whole of
   * `mnist()` or `fashionMnist()` with their default split (MNIST: 8000/2000, as its classes
   * fall). Loaded once per (name, perClass).
   */
  images(name: ImageDatasetName, perClass: number | 'all'): Promise<NamedData>;
}

export type ImageDatasetName = DatasetName | 'cifar10';

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

export function imageLoader(dataDir: string | undefined): SuiteContext['images'] {
  const cache = new Map<string, Promise<NamedData>>();
  return (name, perClass) => {
    const key = `${name}/${perClass}`;
    let entry = cache.get(key);
    if (!entry) {
      entry = loadImages(name, perClass, dataDir).then((d) => ({
        name: `${name} ${d.train.size}/${d.test.size}`,
        train: d.train,
        test: d.test,
      }));
      cache.set(key, entry);
    }
    return entry;
  };
}

function loadImages(name: ImageDatasetName, perClass: number | 'all', dataDir: string | undefined) {
  const test = perClass === 'all' ? undefined : Math.max(1, Math.round(perClass / 4));
  if (name === 'cifar10') {
    if (dataDir === undefined) throw new Error('cifar10 needs --data-dir (the cifar-10-batches-bin folder)');
    const sized = perClass === 'all' || test === undefined ? {} : { trainPerClass: perClass, testPerClass: test };
    return cifar10({ dir: dataDir, normalize: 'standardize', ...sized });
  }
  const sized =
    perClass === 'all' || test === undefined
      ? {}
      : { limitPerClass: perClass + test, testFraction: test / (perClass + test) };
  return (name === 'mnist' ? mnist : fashionMnist)({ seed: 0, shape: 'image', ...sized });
}
