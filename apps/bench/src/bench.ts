/**
 * Orchestrates a bench invocation: loads the backends (reporting the ones that cannot
 * start), runs the suites, and writes results.json, report.html and the charts as SVG.
 * Results are written after every suite, so an interrupted run keeps what it measured.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BACKEND_NAMES, type BackendName, DEFAULT_PREFERENCE, type LoadedBackend, loadBackend } from './backends';
import type { CliOptions, SuiteName } from './cli-args';
import { dataLoader, type ReadyBackend, type SuiteContext } from './context';
import { machineInfo } from './machine';
import { renderReport } from './report/html-report';
import { type BenchResults, finiteOrNull, RESULTS_VERSION } from './results';
import { SUITES } from './suites';

const isReady = (b: LoadedBackend): b is ReadyBackend => 'backend' in b;

export async function runBench(
  options: CliOptions,
  io: { log: (line: string) => void; command: readonly string[] },
): Promise<BenchResults> {
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
  for (const s of results.skipped) io.log(`skipped backend ${s.backend}: ${s.reason}`);
  const primary = options.backends
    ? loaded[0]
    : DEFAULT_PREFERENCE.map((n) => loaded.find((b) => b.name === n)).find((b) => b !== undefined);
  if (!primary)
    throw new Error(
      `no backend could be loaded: ${results.skipped.map((s) => `${s.backend} (${s.reason})`).join('; ')}`,
    );
  io.log(`backends: ${loaded.map((b) => b.name).join(', ')}; experiments run on ${primary.name}`);
  const ctx: SuiteContext = {
    backends: loaded,
    primary,
    seeds: options.seeds,
    hidden: options.hidden,
    // The tour is the few-minute overview: always the quick form of each suite.
    quick: options.quick || options.suites.includes('tour'),
    budget: options.budget,
    algorithms: options.algorithms,
    results,
    record: async (run) => {
      results.runs.push(run);
      await writeOutputs(options.out, results);
    },
    log: io.log,
    data: dataLoader(options.quick),
  };
  const order = expand(options.suites);
  for (const suite of order) {
    io.log(`suite ${suite}`);
    await SUITES[suite](ctx);
    await writeOutputs(options.out, results);
  }
  if (order.length === 0) await writeOutputs(options.out, results);
  return results;
}

function needsAll(suites: readonly SuiteName[]): boolean {
  return suites.some((s) => s === 'speed' || s === 'equivalence' || s === 'tour');
}

/** `tour` = every algorithm suite in quick form plus speed and equivalence. */
function expand(suites: readonly SuiteName[]): Exclude<SuiteName, 'tour'>[] {
  const out: Exclude<SuiteName, 'tour'>[] = [];
  for (const s of suites) {
    if (s === 'tour') out.push('baselines', ...TOUR_ALGORITHMS, 'speed', 'equivalence');
    else out.push(s);
  }
  return [...new Set(out)];
}

const TOUR_ALGORITHMS: Exclude<SuiteName, 'tour'>[] = ['cabs', 'dba', 'labpal', 'arbiter'];

export async function writeOutputs(dir: string, results: BenchResults): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'results.json'), `${JSON.stringify(results, finiteOrNull, 1)}\n`);
  const { html, charts } = renderReport(results);
  await writeFile(join(dir, 'report.html'), html);
  for (const chart of charts) await writeFile(join(dir, chart.file), chart.svg);
}
