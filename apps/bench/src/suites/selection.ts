/**
 * What `--algorithm` and `--dataset` can select, per suite, without loading any suite: the
 * command line is checked against these before anything runs.
 */

/** The exact `--algorithm` names of the suites that run several algorithms. */
export const SUITE_ALGORITHMS = {
  dba: ['dba', 'dba-argmin', 'fixed-batch'],
  labpal: [
    'labpal-nsgd-exact',
    'labpal-nsgd-reference',
    'labpal-sgd-exact',
    'labpal-sgd-reference',
    'pal',
    'sgd',
    'adam',
  ],
  arbiter: ['arbiter', 'arbiter-multistep', 'arbiter-conv-noise', 'arbiter-conv-validation', 'sgd-momentum', 'cabs'],
  'cabs-conv': ['cabs-exact', 'cabs-reference', 'sgd'],
  'dba-conv': ['dba', 'dba-argmin', 'fixed-batch'],
  'labpal-resnet': ['labpal-nsgd', 'labpal-sgd', 'pal', 'sgd-momentum', 'adam'],
  'arbiter-vgg': ['arbiter', 'sgd-momentum', 'cabs'],
} as const satisfies Record<string, readonly string[]>;

export const DATASET_NAMES = ['mnist', 'fashion-mnist'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

/** The suites that run on several datasets and take `--dataset`. */
export const MULTI_DATASET_SUITES: readonly string[] = ['labpal', 'arbiter', 'cabs-conv'];

/** The suites that run on CIFAR-10 with `--data-dir` (on Fashion-MNIST without it). */
export const DATA_DIR_SUITES: readonly string[] = ['labpal-resnet', 'arbiter-vgg'];

/**
 * The datasets a multi-dataset suite runs: the chosen ones, else MNIST alone in the quick
 * form, else every dataset.
 */
export const suiteDatasets = (ctx: {
  readonly datasets: readonly DatasetName[] | undefined;
  readonly quick: boolean;
}): readonly DatasetName[] => ctx.datasets ?? (ctx.quick ? ['mnist'] : DATASET_NAMES);

/** Whether `--algorithm` (absent: everything) selects `name`; the names were checked against the suite's list. */
export const selects = (algorithms: readonly string[] | undefined, name: string): boolean =>
  algorithms === undefined || algorithms.includes(name);
