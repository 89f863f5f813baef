/**
 * `pnpm bench [suite ...] [--backend <names>] [--algorithm <names>] [--steps N | --examples N]
 * [--seeds N] [--hidden W,...] [--out DIR] [--quick]` — parsed without dependencies; unknown flags, suites or
 * backends are errors that list what is valid.
 */
import { BACKEND_NAMES, type BackendName } from './backends';

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
] as const;
export type SuiteName = (typeof SUITE_NAMES)[number];

export interface CliOptions {
  readonly suites: SuiteName[];
  readonly backends: BackendName[] | undefined;
  readonly algorithms: string[] | undefined;
  readonly budget: { steps: number } | { examples: number } | undefined;
  readonly seeds: number;
  /** Hidden widths for suites that sweep them (dba). */
  readonly hidden: number[] | undefined;
  readonly out: string;
  readonly quick: boolean;
  readonly help: boolean;
}

export class CliError extends Error {}

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
  let budget: CliOptions['budget'];
  let seeds = 1;
  let hidden: number[] | undefined;
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
      case '--seeds':
        seeds = positiveInt(value(), arg);
        break;
      case '--out': {
        const dir = value();
        if (!dir) throw new CliError('--out needs a directory');
        out = dir;
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
        if (arg.startsWith('-')) throw new CliError(`unknown option '${arg}'`);
        if (!(SUITE_NAMES as readonly string[]).includes(arg))
          throw new CliError(`unknown suite '${arg}'; valid: ${SUITE_NAMES.join(', ')}`);
        suites.push(arg as SuiteName);
    }
  }
  return {
    suites: suites.length > 0 ? suites : ['tour'],
    backends,
    algorithms,
    budget,
    seeds,
    hidden,
    out,
    quick,
    help,
  };
}

export const USAGE = `usage: pnpm bench [suite ...] [--backend <names>] [--algorithm <names>] [--steps N | --examples N] [--seeds N] [--hidden W,...] [--out DIR] [--quick]

suites:   ${SUITE_NAMES.join(', ')} (default: tour — every algorithm once on MNIST, plus speed and equivalence)
backends: ${BACKEND_NAMES.join(', ')} (default: the fastest one installed)
output:   DIR/results.json, DIR/report.html and DIR/*.svg (default DIR: bench-results/)`;
