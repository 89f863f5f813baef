/**
 * `pnpm bench [suite ...] [options]` (see USAGE) — parsed without dependencies; unknown flags,
 * suites, backends, algorithms or datasets are usage errors that list what is valid, raised
 * before anything runs.
 */
import { BACKEND_NAMES, type BackendName } from './backends';
import {
  DATA_DIR_SUITES,
  DATASET_NAMES,
  type DatasetName,
  MULTI_DATASET_SUITES,
  SUITE_ALGORITHMS,
} from './suites/selection';

export const SUITE_NAMES = [
  'tour',
  'demo',
  'speed',
  'equivalence',
  'baselines',
  'cabs',
  'dba',
  'labpal',
  'arbiter',
  'scale',
  'cabs-conv',
  'dba-conv',
  'labpal-resnet',
  'arbiter-vgg',
] as const;
export type SuiteName = (typeof SUITE_NAMES)[number];

/** What `tour` runs: every algorithm suite (MLP and conv) in its quick form, then speed and equivalence. */
export const TOUR: readonly Exclude<SuiteName, 'tour'>[] = [
  'baselines',
  'cabs',
  'dba',
  'labpal',
  'arbiter',
  'cabs-conv',
  'dba-conv',
  'labpal-resnet',
  'arbiter-vgg',
  'speed',
  'equivalence',
];

/** The suites to run, in order, with `tour` expanded and repeats dropped. */
export function expandSuites(suites: readonly SuiteName[]): Exclude<SuiteName, 'tour'>[] {
  return [...new Set(suites.flatMap((s) => (s === 'tour' ? TOUR : [s])))];
}

export interface CliOptions {
  readonly suites: SuiteName[];
  readonly backends: BackendName[] | undefined;
  /** `--algorithm`: exact names, checked against the selected suites' names. */
  readonly algorithms: string[] | undefined;
  /** `--dataset`: the datasets of the multi-dataset suites. */
  readonly datasets: DatasetName[] | undefined;
  readonly budget: { steps: number } | { examples: number } | undefined;
  readonly seeds: number;
  /** Hidden widths for suites that sweep them (dba). */
  readonly hidden: number[] | undefined;
  /** `--ranks`: the MPI rank counts the scale suite compares. */
  readonly ranks: number[] | undefined;
  /** `--data-dir`: the extracted CIFAR-10 binary archive, for the suites that can use it. */
  readonly dataDir: string | undefined;
  readonly out: string;
  readonly quick: boolean;
  readonly help: boolean;
}

/** A usage error: the message says what was wrong and what is valid; `pnpm bench` exits 2. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/**
 * The bench cannot start as asked (no backend loads, the output directory is not writable):
 * printed as its one-line message, without a stack; `pnpm bench` exits 1.
 */
export class BenchSetupError extends Error {
  override readonly name = 'BenchSetupError';
}

const list = (value: string | undefined, flag: string) => {
  if (!value || value.startsWith('--')) throw new CliError(`${flag} needs a value`);
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
};

const positiveInt = (value: string | undefined, flag: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new CliError(`${flag} must be a positive integer, got ${value}`);
  return n;
};

export function parseArgs(argv: readonly string[]): CliOptions {
  const suites: SuiteName[] = [];
  let backends: BackendName[] | undefined;
  let algorithms: string[] | undefined;
  let datasets: DatasetName[] | undefined;
  let budget: CliOptions['budget'];
  let seeds = 1;
  let hidden: number[] | undefined;
  let ranks: number[] | undefined;
  let dataDir: string | undefined;
  let out = 'bench-results';
  let quick = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = () => argv[++i];
    switch (arg) {
      case '--backend':
      case '--backends':
        backends = list(value(), arg).map((b) => {
          if (!(BACKEND_NAMES as readonly string[]).includes(b))
            throw new CliError(`unknown backend '${b}'; valid: ${BACKEND_NAMES.join(', ')}`);
          return b as BackendName;
        });
        break;
      case '--algorithm':
      case '--algorithms':
        algorithms = list(value(), arg);
        break;
      case '--dataset':
      case '--datasets':
        datasets = list(value(), arg).map((d) => {
          if (!(DATASET_NAMES as readonly string[]).includes(d))
            throw new CliError(`unknown dataset '${d}'; valid: ${DATASET_NAMES.join(', ')}`);
          return d as DatasetName;
        });
        break;
      case '--steps':
        if (budget) throw new CliError('give --steps or --examples, not both');
        budget = { steps: positiveInt(value(), arg) };
        break;
      case '--examples':
        if (budget) throw new CliError('give --steps or --examples, not both');
        budget = { examples: positiveInt(value(), arg) };
        break;
      case '--hidden':
        hidden = list(value(), arg).map((w) => positiveInt(w, arg));
        break;
      case '--ranks':
        ranks = list(value(), arg).map((r) => positiveInt(r, arg));
        break;
      case '--seeds':
        seeds = positiveInt(value(), arg);
        break;
      case '--out': {
        const dir = value();
        if (!dir || dir.startsWith('--')) throw new CliError('--out needs a directory');
        out = dir;
        break;
      }
      case '--data-dir': {
        const dir = value();
        if (!dir || dir.startsWith('--')) throw new CliError('--data-dir needs a directory');
        dataDir = dir;
        break;
      }
      case '--quick':
        quick = true;
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        if (arg.startsWith('-')) throw new CliError(`unknown option '${arg}'; see pnpm bench --help`);
        if (!(SUITE_NAMES as readonly string[]).includes(arg))
          throw new CliError(`unknown suite '${arg}'; valid: ${SUITE_NAMES.join(', ')}`);
        suites.push(arg as SuiteName);
    }
  }
  const selected: SuiteName[] = suites.length > 0 ? suites : ['tour'];
  if (algorithms) checkAlgorithms(algorithms, selected);
  if (datasets) checkDatasets(selected);
  if (dataDir !== undefined && !expandSuites(selected).some((s) => DATA_DIR_SUITES.includes(s)))
    throw new CliError(`--data-dir applies to the suites ${DATA_DIR_SUITES.join(', ')}; none of them is selected`);
  return {
    suites: selected,
    backends,
    algorithms,
    datasets,
    budget,
    seeds,
    hidden,
    ranks,
    dataDir,
    out,
    quick,
    help,
  };
}

/** `--algorithm` names must each belong to a selected suite that runs several algorithms. */
function checkAlgorithms(algorithms: readonly string[], suites: readonly SuiteName[]): void {
  const names = SUITE_ALGORITHMS as Record<string, readonly string[]>;
  const taking = expandSuites(suites).filter((s) => names[s] !== undefined);
  const all = Object.keys(names).join(', ');
  if (taking.length === 0) throw new CliError(`--algorithm applies to the suites ${all}; none of them is selected`);
  const valid = [...new Set(taking.flatMap((s) => names[s] ?? []))];
  for (const name of algorithms) {
    if (!valid.includes(name))
      throw new CliError(`unknown algorithm '${name}' for suite ${taking.join(', ')}; valid: ${valid.join(', ')}`);
  }
}

function checkDatasets(suites: readonly SuiteName[]): void {
  if (!expandSuites(suites).some((s) => MULTI_DATASET_SUITES.includes(s)))
    throw new CliError(`--dataset applies to the suites ${MULTI_DATASET_SUITES.join(', ')}; none of them is selected`);
}

const algorithmNames = Object.entries(SUITE_ALGORITHMS)
  .map(([suite, names]) => `${suite}: ${names.join(', ')}`)
  .join('\n                     ');

export const USAGE = `usage: pnpm bench [suite ...] [options]

suites (default: tour):
  tour          every algorithm suite, MLP and conv, once in its quick form (MNIST; the ResNet and VGG suites on
                Fashion-MNIST), then speed and equivalence (minutes on 2 cores)
  demo          fixed-batch SGD on backend-js over real MNIST; fails below 90% test accuracy
  baselines     fixed-batch SGD at batch 16/128/1024 and Adam on MNIST, same examples each
  cabs          CABS against SGD at batch 16/128/1024 given the examples CABS used
  dba           DBA against Adam and SGD-momentum with 60 and 10 images per class, plus its cost
  labpal        LABPAL (NSGD/SGD, exact/reference fit) and PAL against tuned SGD and Adam
  arbiter       Arbiter alone and with a multistep schedule against fixed batches and CABS
  speed         ms per step of each model query on every installed backend
  equivalence   each backend's losses, gradients and statistics against backend-js
  scale         data-parallel throughput over MPI (mpirun, @abs/distributed) and the collectives' share of a step
  cabs-conv     CABS (exact and reference) on the CABS authors' MNIST conv net against SGD at batch 16/128/1024
  dba-conv      DBA on a small conv net with 60 and 10 digits per class against its base optimisers
  labpal-resnet LABPAL and PAL on a narrow ResNet-20 with batch norm against tuned SGD-momentum and Adam
  arbiter-vgg   Arbiter on a small VGG with batch norm against fixed batches; CABS on the VGG without batch norm

options:
  --backend NAMES    comma-separated, from ${BACKEND_NAMES.join(', ')};
                     default: experiments on the fastest installed one, speed and equivalence on all
  --algorithm NAMES  run only these algorithms of a suite, by exact name:
                     ${algorithmNames}
  --dataset NAMES    run ${MULTI_DATASET_SUITES.join(', ')} on these datasets only: ${DATASET_NAMES.join(', ')} (default: both; mnist alone with --quick)
  --steps N          train every run for N steps instead of the suite's own budget (also caps speed's repetitions)
  --examples N       train every run on N examples instead of the suite's own budget
  --seeds N          repeat every run with seeds 1…N; the report then shows mean ± std of the final results
  --hidden W,...     hidden-layer widths of the dba sweep (default 128,512,1000; 128 with --quick)
  --ranks N,...      rank counts the scale suite launches with mpirun (default 1,2)
  --data-dir DIR     the extracted CIFAR-10 binary archive (cifar-10-batches-bin): ${DATA_DIR_SUITES.join(' and ')}
                     then run on CIFAR-10 instead of Fashion-MNIST
  --quick            the short form of every suite: smaller budgets, one dataset (the tour always uses it)
  --out DIR          where results.json, report.html and the charts go, created if missing (default: bench-results,
                     relative to apps/bench); the absolute path is printed at the start and the end
  -h, --help         print this text and exit without running anything`;
