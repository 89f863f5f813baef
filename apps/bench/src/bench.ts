/**
 * Orchestrates a bench invocation: loads the backends (reporting the ones that cannot
 * start), runs the suites, and writes results.json, report.html and the charts as SVG.
 * Results are written after every suite, so an interrupted run keeps what it measured.
 */
import { constants } from 'node:fs';
import { access, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BACKEND_NAMES, type BackendName, DEFAULT_PREFERENCE, type LoadedBackend, loadBackend } from './backends';
import { BenchSetupError, type CliOptions, expandSuites, type SuiteName } from './cli-args';
import { dataLoader, imageLoader, type ReadyBackend, type SuiteContext } from './context';
import { machineInfo } from './machine';
import { renderReport } from './report/html-report';
import { type BenchResults, finiteOrNull, RESULTS_VERSION } from './results';
import { SUITES } from './suites';

const isReady = (b: LoadedBackend): b is ReadyBackend => 'backend' in b;

/**
 * @param options parsed by `parseArgs` (suites, algorithms and datasets already checked)
 * @throws BenchSetupError before any suite runs, when the output directory cannot be written or no backend loads
 */
export async function runBench(
  options: CliOptions,
  io: { log: (line: string) => void; command: readonly string[] },
): Promise<BenchResults> {
  const out = await prepareOutputDirectory(options.out);
  io.log(`results go to ${out}`);
  const dataDir = options.dataDir === undefined ? undefined : await checkDataDirectory(options.dataDir);
  const results: BenchResults = {
    version: RESULTS_VERSION,
    createdAt: new Date().toISOString(),
    machine: machineInfo(),
    command: [...io.command],
    runs: [],
    speed: [],
    equivalence: [],
    skipped: [],
    findings: [],
  };
  // Speed and equivalence cover every installed backend unless --backend narrows them.
  const wanted: readonly BackendName[] =
    options.backends ?? (needsAll(options.suites) ? BACKEND_NAMES : DEFAULT_PREFERENCE);
  const loaded: ReadyBackend[] = [];
  for (const name of wanted) {
    const b = await loadBackend(name);
    if (isReady(b)) loaded.push(b);
    else results.skipped.push({ backend: b.name, reason: b.skipped });
    if (!options.backends && !needsAll(options.suites) && loaded.length > 0) break;
  }
  const primary = options.backends
    ? loaded[0]
    : DEFAULT_PREFERENCE.map((n) => loaded.find((b) => b.name === n)).find((b) => b !== undefined);
  if (!primary)
    throw new BenchSetupError(
      `no backend could be loaded: ${results.skipped.map((s) => `${s.backend} (${s.reason})`).join('; ')}`,
    );
  for (const s of results.skipped) io.log(`skipped backend ${s.backend}: ${s.reason}`);
  io.log(`backends: ${loaded.map((b) => b.name).join(', ')}; experiments run on ${primary.name}`);
  const ctx: SuiteContext = {
    backends: loaded,
    primary,
    seeds: options.seeds,
    hidden: options.hidden,
    ranks: options.ranks,
    // The tour is the few-minute overview: always the quick form of each suite.
    quick: options.quick || options.suites.includes('tour'),
    budget: options.budget,
    algorithms: options.algorithms,
    datasets: options.datasets,
    results,
    record: async (run) => {
      results.runs.push(run);
      await writeOutputs(out, results);
    },
    log: io.log,
    data: dataLoader(options.quick),
    dataDir,
    images: imageLoader(dataDir),
  };
  const order = expandSuites(options.suites);
  for (const suite of order) {
    io.log(`suite ${suite}`);
    await SUITES[suite](ctx);
    await writeOutputs(out, results);
  }
  if (order.length === 0) await writeOutputs(out, results);
  return results;
}

/**
 * Creates `dir` (relative paths resolve against the working directory) and proves it writable,
 * before any backend loads or suite runs, so a bad `--out` never costs a run.
 * @returns the absolute path
 * @throws BenchSetupError naming the path and what is wrong with it
 */
export async function prepareOutputDirectory(dir: string): Promise<string> {
  const path = resolve(dir);
  const fail = (why: string) => new BenchSetupError(`--out ${path}: ${why}`);
  const existing = await stat(path).catch(() => undefined);
  if (existing && !existing.isDirectory()) throw fail('is a file, not a directory');
  try {
    await mkdir(path, { recursive: true });
    await access(path, constants.W_OK);
    const probe = join(path, '.bench-write-check');
    await writeFile(probe, '');
    await rm(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw fail(
      code === 'ENOTDIR'
        ? 'a parent is a file, not a directory'
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? 'not writable'
          : `cannot be created or written (${code ?? String(error)})`,
    );
  }
  return path;
}

/**
 * `--data-dir` must be an existing folder, checked before any suite runs; the files in it are
 * checked by the CIFAR loader, whose error names the missing or malformed file.
 * @returns the absolute path
 */
export async function checkDataDirectory(dir: string): Promise<string> {
  const path = resolve(dir);
  const found = await stat(path).catch(() => undefined);
  if (!found?.isDirectory())
    throw new BenchSetupError(
      `--data-dir ${path}: ${found ? 'is a file, not a directory' : 'does not exist'} (it should be the extracted cifar-10-batches-bin folder)`,
    );
  return path;
}

function needsAll(suites: readonly SuiteName[]): boolean {
  return suites.some((s) => s === 'speed' || s === 'equivalence' || s === 'tour');
}

export async function writeOutputs(dir: string, results: BenchResults): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'results.json'), `${JSON.stringify(results, finiteOrNull, 1)}\n`);
  const { html, charts } = renderReport(results);
  await writeFile(join(dir, 'report.html'), html);
  for (const chart of charts) await writeFile(join(dir, chart.file), chart.svg);
}
