/**
 * The command line as a user meets it: exact `--algorithm` names, `--dataset`, `--out` checked
 * before anything runs, `--help` explaining every flag, and the exit status and one-line
 * messages of `pnpm bench` itself (run as a child process).
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { prepareOutputDirectory, runBench } from './bench';
import { BenchSetupError, CliError, parseArgs, USAGE } from './cli-args';
import { SUITE_ALGORITHMS, selects, suiteDatasets } from './suites/selection';

const scratch = () => mkdtemp(join(tmpdir(), 'abs-bench-cli-'));

describe('--algorithm', () => {
  it('matches names exactly: arbiter selects arbiter, not "arbiter + multistep"', () => {
    const { algorithms } = parseArgs(['arbiter', '--algorithm', 'arbiter']);
    expect(SUITE_ALGORITHMS.arbiter.filter((name) => selects(algorithms, name))).toEqual(['arbiter']);
    expect(SUITE_ALGORITHMS.labpal.filter((name) => selects(undefined, name))).toHaveLength(7);
  });

  it('an unknown name is a usage error listing the valid names of the selected suites', () => {
    expect(() => parseArgs(['arbiter', '--algorithm', 'arb'])).toThrow(
      "unknown algorithm 'arb' for suite arbiter; valid: arbiter, arbiter-multistep, arbiter-conv-noise, arbiter-conv-validation, sgd-momentum, cabs",
    );
    expect(() => parseArgs(['labpal', '--algorithm', 'labpal-nsgd'])).toThrow(
      "unknown algorithm 'labpal-nsgd' for suite labpal; valid: labpal-nsgd-exact, labpal-nsgd-reference",
    );
    expect(() => parseArgs(['cabs', '--algorithm', 'dba'])).toThrow(
      '--algorithm applies to the suites dba, labpal, arbiter, cabs-conv, dba-conv, labpal-resnet, arbiter-vgg; none of them is selected',
    );
    // The tour holds every suite that takes names.
    expect(parseArgs(['--algorithm', 'dba,pal']).algorithms).toEqual(['dba', 'pal']);
    expect(() => parseArgs(['arbiter', '--algorithm', 'arbiter'])).not.toThrow();
  });

  it('a run selects exactly the named algorithm on the named dataset', async () => {
    const out = await scratch();
    const options = parseArgs(['labpal', '--algorithm', 'pal', '--dataset', 'mnist', '--steps', '1', '--out', out]);
    const results = await runBench({ ...options, backends: ['js'] }, { log: () => {}, command: ['test'] });
    expect(results.runs.map((r) => [r.label, r.dataset])).toEqual([['pal', 'mnist']]);
  });
});

describe('--dataset', () => {
  it('picks the datasets of the multi-dataset suites, and only of those', () => {
    expect(parseArgs(['labpal', '--dataset', 'fashion-mnist']).datasets).toEqual(['fashion-mnist']);
    expect(() => parseArgs(['labpal', '--dataset', 'cifar'])).toThrow(
      "unknown dataset 'cifar'; valid: mnist, fashion-mnist",
    );
    expect(() => parseArgs(['cabs', '--dataset', 'mnist'])).toThrow(
      '--dataset applies to the suites labpal, arbiter, cabs-conv; none of them is selected',
    );
    expect(suiteDatasets({ datasets: undefined, quick: false })).toEqual(['mnist', 'fashion-mnist']);
    expect(suiteDatasets({ datasets: undefined, quick: true })).toEqual(['mnist']);
    expect(suiteDatasets({ datasets: ['fashion-mnist'], quick: true })).toEqual(['fashion-mnist']);
  });
});

describe('--out', () => {
  it('is created, and returned as an absolute path', async () => {
    const dir = join(await scratch(), 'a', 'b');
    expect(await prepareOutputDirectory(dir)).toBe(dir);
    await writeFile(join(dir, 'probe'), 'ok');
    expect(await readFile(join(dir, 'probe'), 'utf8')).toBe('ok');
  });

  it('a file, or a path under a file, is an error before any suite starts', async () => {
    const base = await scratch();
    const file = join(base, 'results.json');
    await writeFile(file, '{}');
    await expect(prepareOutputDirectory(file)).rejects.toThrow(`--out ${file}: is a file, not a directory`);
    await expect(prepareOutputDirectory(join(file, 'x'))).rejects.toThrow(
      `--out ${join(file, 'x')}: a parent is a file, not a directory`,
    );
    const lines: string[] = [];
    const attempt = runBench(parseArgs(['demo', '--out', file]), { log: (l) => lines.push(l), command: ['test'] });
    await expect(attempt).rejects.toBeInstanceOf(BenchSetupError);
    expect(lines).toEqual([]);
  });

  // Root may write anywhere, so a read-only directory only fails for other users.
  it.skipIf(process.getuid?.() === 0)('an unwritable directory is an error (skipped when run as root)', async () => {
    const dir = join(await scratch(), 'locked');
    await mkdir(dir);
    await chmod(dir, 0o555);
    await expect(prepareOutputDirectory(dir)).rejects.toThrow(`--out ${dir}: not writable`);
  });
});

describe('--help', () => {
  it('explains every flag in a line', () => {
    const flags = ['--backend', '--algorithm', '--dataset', '--steps', '--examples', '--seeds', '--hidden', '--quick'];
    for (const flag of [...flags, '--out', '-h, --help']) {
      expect(USAGE, flag).toMatch(new RegExp(`^  ${flag}( [A-Z,.]+)? +[a-z].{20,}$`, 'm'));
    }
    for (const suite of ['tour', 'demo', 'speed', 'equivalence', 'baselines', 'cabs', 'dba', 'labpal', 'arbiter']) {
      expect(USAGE, suite).toMatch(new RegExp(`^  ${suite} +[A-Za-z].{20,}$`, 'm'));
    }
    expect(parseArgs(['--help']).help).toBe(true);
    expect(() => parseArgs(['--out'])).toThrow(CliError);
  });
});

describe('pnpm bench as a process', () => {
  const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
  const bench = (args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', '--conditions=@abs/source', cli, ...args], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    }).then(
      (done) => ({ code: 0, stdout: done.stdout, stderr: done.stderr }),
      (failed: { code: number; stdout: string; stderr: string }) => failed,
    );

  it('an unknown option exits 2 with one line naming it', async () => {
    const { code, stdout, stderr } = await bench(['--frobnicate']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe("pnpm bench: unknown option '--frobnicate'; see pnpm bench --help\n");
  });

  it('a backend that cannot load exits 1 with its reason in one line, no stack', async () => {
    const { code, stderr } = await bench(['demo', '--backend', 'tfjs-node-gpu', '--out', await scratch()]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^pnpm bench: no backend could be loaded: tfjs-node-gpu \(.+\)\n$/);
  });
});
