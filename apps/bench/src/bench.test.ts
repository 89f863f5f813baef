import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBench } from './bench';
import { parseArgs } from './cli-args';
import { RESULTS_SCHEMA, validateResults } from './results';

describe('bench end to end', () => {
  it('runs a tiny tour of every suite and writes results.json (valid against its schema), report.html and SVG charts', async () => {
    const out = await mkdtemp(join(tmpdir(), 'abs-bench-'));
    const lines: string[] = [];
    // onnx is the default backend of the main job (its CPU build ships in the npm package).
    const options = parseArgs(['tour', '--backend', 'onnx', '--steps', '2', '--out', out]);
    await runBench(options, { log: (l) => lines.push(l), command: ['test'] });
    const document = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(validateResults(document)).toEqual([]);
    // baselines 4, cabs 1 + 3 baselines, dba 2 settings × 2 bases × (dba + plain), labpal 4 + pal + sgd + adam, arbiter 2 + 3 + cabs
    const suites = document.runs.map((r: { suite: string }) => r.suite);
    expect(suites.filter((s: string) => s === 'baselines').length).toBe(4);
    expect(suites.filter((s: string) => s === 'cabs').length).toBe(4);
    expect(suites.filter((s: string) => s === 'dba').length).toBe(8);
    expect(suites.filter((s: string) => s === 'labpal').length).toBe(7);
    expect(suites.filter((s: string) => s === 'arbiter').length).toBe(6);
    for (const run of document.runs) {
      expect(run.error, `${run.suite}/${run.label}`).toBeUndefined();
      expect(run.final.steps, `${run.suite}/${run.label}`).toBeGreaterThanOrEqual(1);
      expect(run.final.steps, `${run.suite}/${run.label}`).toBeLessThanOrEqual(2);
    }
    expect(document.findings.filter((f: { suite: string }) => f.suite === 'cabs').length).toBe(3);
    expect(document.speed.map((s: { measure: string }) => s.measure)).toEqual([
      'plain step (fixed batch, adam)',
      'dba step (Gram + selection + weighted gradient)',
      'materialised per-example gradients (not run)',
      'forward',
      'plain',
      'moments',
      'gram',
      'gram+weights',
      'matmul',
    ]);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    const files = await readdir(out);
    expect(files.filter((f) => f.endsWith('.svg')).length).toBeGreaterThanOrEqual(5);
  });

  it('the validator reports what is wrong', () => {
    expect(validateResults({ version: 1 })).toContain('$.createdAt: missing');
    expect(
      validateResults({ ...minimal(), runs: [{ suite: 1 }] }).some((e) =>
        e.startsWith('$.runs[0].suite: expected string'),
      ),
    ).toBe(true);
    expect(RESULTS_SCHEMA.title).toBe('abs bench results');
  });
});

describe('parseArgs', () => {
  it('parses suites, lists and budgets, and rejects what it does not know', () => {
    expect(parseArgs([])).toMatchObject({ suites: ['tour'], seeds: 1, out: 'bench-results', quick: false });
    expect(parseArgs(['cabs', 'speed', '--backend', 'js,onnx', '--examples', '1000', '--seeds', '3'])).toMatchObject({
      suites: ['cabs', 'speed'],
      backends: ['js', 'onnx'],
      budget: { examples: 1000 },
      seeds: 3,
    });
    expect(() => parseArgs(['--backend', 'cuda'])).toThrow("unknown backend 'cuda'");
    expect(() => parseArgs(['nope'])).toThrow("unknown suite 'nope'");
    expect(() => parseArgs(['--steps', '0'])).toThrow('--steps must be a positive integer, got 0');
    expect(() => parseArgs(['--steps', '5', '--examples', '5'])).toThrow('not both');
    expect(() => parseArgs(['--frobnicate'])).toThrow("unknown option '--frobnicate'");
  });
});

function minimal() {
  return {
    version: 1,
    createdAt: '',
    machine: { platform: '', arch: '', cpus: 1, cpuModel: '', memoryGiB: 1, node: '' },
    command: [],
    runs: [],
    speed: [],
    equivalence: [],
    skipped: [],
    findings: [],
  };
}
