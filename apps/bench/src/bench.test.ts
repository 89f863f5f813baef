import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBench } from './bench';
import { parseArgs } from './cli-args';
import { renderReport, suiteCharts } from './report/html-report';
import { formatTick, lineChart } from './report/svg-chart';
import { type BenchResults, RESULTS_SCHEMA, type RunRecord, validateResults } from './results';
import { compareToBaseline, examplesToReach } from './suites/cabs';

describe('bench end to end', () => {
  it('runs a tiny tour of every suite and writes results.json (valid against its schema), report.html and SVG charts', async () => {
    const out = await mkdtemp(join(tmpdir(), 'abs-bench-'));
    const lines: string[] = [];
    // onnx is the default backend of the main job (its CPU build ships in the npm package).
    const options = parseArgs(['tour', '--backend', 'onnx', '--steps', '2', '--out', out]);
    await runBench(options, { log: (l) => lines.push(l), command: ['test'] });
    const document = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(validateResults(document)).toEqual([]);
    // baselines 4, cabs 1 + 3 baselines, dba 2 settings × 2 bases × (dba, dba-argmin, plain), labpal 4 + pal + sgd + adam, arbiter 2 + 3 + cabs
    const suites = document.runs.map((r: { suite: string }) => r.suite);
    expect(suites.filter((s: string) => s === 'baselines').length).toBe(4);
    expect(suites.filter((s: string) => s === 'cabs').length).toBe(4);
    expect(suites.filter((s: string) => s === 'dba').length).toBe(12);
    expect(suites.filter((s: string) => s === 'labpal').length).toBe(7);
    expect(suites.filter((s: string) => s === 'arbiter').length).toBe(6);
    // The conv suites' quick forms: cabs-conv 2 CABS + SGD at 16 and 128 (1024 exceeds its 300
    // images); dba-conv 2 settings × 2 bases × (dba, dba-argmin, plain); labpal-resnet 2 LABPAL +
    // PAL + SGD-momentum + Adam; arbiter-vgg Arbiter + batch 32 and 128 + CABS without batch norm.
    expect(suites.filter((s: string) => s === 'cabs-conv').length).toBe(4);
    expect(suites.filter((s: string) => s === 'dba-conv').length).toBe(12);
    expect(suites.filter((s: string) => s === 'labpal-resnet').length).toBe(5);
    expect(suites.filter((s: string) => s === 'arbiter-vgg').length).toBe(4);
    const convModels = document.runs
      .filter((r: RunRecord) => ['cabs-conv', 'labpal-resnet', 'arbiter-vgg'].includes(r.suite))
      .map((r: RunRecord) => r.model.slice(0, 9));
    expect(new Set(convModels)).toEqual(new Set(['[28,28,1]']));
    for (const run of document.runs) {
      expect(run.error, `${run.suite}/${run.label}`).toBeUndefined();
      expect(run.final.steps, `${run.suite}/${run.label}`).toBeGreaterThanOrEqual(1);
      expect(run.final.steps, `${run.suite}/${run.label}`).toBeLessThanOrEqual(2);
    }
    // Three comparisons, and the note that 2 steps never leave batch 16.
    const cabsFindings = document.findings.filter((f: { suite: string }) => f.suite === 'cabs');
    expect(cabsFindings.length).toBe(4);
    expect(cabsFindings[0].text).toBe(
      'seed 1: cabs lr=0.3 bs 16→2048 kept batch 16 for all 2 steps: too short to show adaptation (it is then plain SGD at that batch size; the full suite runs 8000 steps).',
    );
    // Two calls end no LABPAL window and no Arbiter epoch: each such run says so.
    const notes = (suite: string) =>
      document.findings.filter(
        (f: { suite: string; text: string }) => f.suite === suite && f.text.includes('too short'),
      );
    expect(notes('labpal').length).toBe(4);
    expect(notes('arbiter').length).toBe(2);
    expect(notes('cabs-conv').length).toBe(2);
    expect(notes('labpal-resnet').length).toBe(2);
    // 2 steps of 128 pass the quick form's 160 images: Arbiter's first epoch ends and it decides.
    const vggDecisions = document.findings.filter(
      (f: { suite: string; text: string }) =>
        f.suite === 'arbiter-vgg' && / arbiter decided epoch 1 → \d+\.$/.test(f.text),
    );
    expect(vggDecisions.length).toBe(1);
    // Line searches trace their step size; observed runs carry their (here empty) events.
    const byLabel = (label: string) => document.runs.find((r: RunRecord) => r.label.startsWith(label)) as RunRecord;
    expect(byLabel('pal').trace.every((t) => typeof t.stepSize === 'number')).toBe(true);
    expect(byLabel('labpal-nsgd reference').trace.every((t) => t.stepSize === null)).toBe(true);
    expect(byLabel('arbiter').events).toEqual([]);
    expect(byLabel('sgd-momentum').events).toBeUndefined();
    // one DBA finding per (setting, width), each next to the paper's claim
    const dbaFindings = document.findings.filter((f: { suite: string }) => f.suite === 'dba');
    expect(dbaFindings.map((f: { text: string }) => f.text.slice(0, 30))).toEqual([
      'mnist 60/class (1%), H=128, fi',
      'mnist 10/class, H=128, final-e',
    ]);
    expect(dbaFindings[0].text).toMatch(
      /dba adam 1e-3 \d+\.\d\d ± \d+\.\d\d% \(n=1\).*the paper reports 97\.79% for DBA\.$/,
    );
    const materialised = document.speed.find((s: { measure: string }) => s.measure.startsWith('materialise'));
    expect(materialised.memoryBytes).toBe(128 * (784 * 512 + 512 + 512 * 10 + 10) * 4);
    expect(materialised.msPerStep).toBeGreaterThan(0);
    expect(document.speed.map((s: { measure: string }) => s.measure)).toEqual([
      'plain step (fixed batch, adam)',
      'dba step (Gram + selection + weighted gradient)',
      'materialise per-example gradients (N batch-1 passes, no selection)',
      'forward',
      'plain',
      'plain (sgdStep: update in the backend)',
      'moments',
      'norms',
      'gram',
      'gram+weights',
      'matmul',
      // The step table: every algorithm's step against its base optimiser's plain step.
      ...['sgd', 'momentum', 'adam', 'cabs', 'dba-adam', 'dba-momentum', 'labpal', 'pal', 'arbiter'].map(
        (name) => `step: ${name}`,
      ),
    ]);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    const files = await readdir(out);
    expect(files.filter((f) => f.endsWith('.svg')).length).toBeGreaterThanOrEqual(5);
    expect(files.filter((f) => /^labpal-mnist-.*-step-size\.svg$/.test(f))).toHaveLength(1);
    expect(lines[0]).toBe(`results go to ${out}`);
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
    expect(parseArgs(['dba', '--hidden', '128,512']).hidden).toEqual([128, 512]);
    expect(() => parseArgs(['--hidden', '0'])).toThrow('--hidden must be a positive integer, got 0');
    expect(() => parseArgs(['--backend', 'cuda'])).toThrow("unknown backend 'cuda'");
    expect(() => parseArgs(['nope'])).toThrow("unknown suite 'nope'");
    expect(() => parseArgs(['--steps', '0'])).toThrow('--steps must be a positive integer, got 0');
    expect(() => parseArgs(['--steps', '5', '--examples', '5'])).toThrow('not both');
    expect(() => parseArgs(['--frobnicate'])).toThrow("unknown option '--frobnicate'");
  });
});

describe('reports of results written before step sizes and decisions were traced', () => {
  it('still render, without the step-size charts', async () => {
    const run = {
      suite: 'labpal',
      algorithm: 'labpal',
      label: 'labpal-nsgd reference (K=100, U=50)',
      backend: 'onnx',
      dataset: 'mnist',
      model: 'mlp[784,512,10] relu',
      seed: 1,
      config: {},
      trace: [{ step: 1, examplesSeen: 128, loss: 2.3, batchSize: 128, learningRate: 0, wallMs: 1 }],
      tests: [{ step: 1, examplesSeen: 128, loss: 2.2, accuracy: 0.2, trainLoss: null }],
      final: { trainLoss: 2.3, testAccuracy: 0.2, testLoss: 2.2, examplesSeen: 128, steps: 1, wallMs: 1, msPerStep: 1 },
    };
    const old = { ...minimal(), runs: [run] } as unknown as BenchResults;
    const { html, charts } = renderReport(old);
    expect(html).toContain('labpal-nsgd reference (K=100, U=50)');
    expect(charts.map((c) => c.file.replace(/^.*-relu-/, ''))).toEqual([
      'loss.svg',
      'accuracy.svg',
      'learning-rate.svg',
    ]);
  });

  it('a committed results file (results/cabs) still validates and renders', async () => {
    const committed = JSON.parse(await readFile(new URL('../results/cabs/results.json', import.meta.url), 'utf8'));
    expect(validateResults(committed)).toEqual([]);
    expect(committed.runs.some((r: RunRecord) => r.events !== undefined)).toBe(false);
    const { html, charts } = renderReport(committed);
    expect(html).toContain('cabs lr=0.1 bs 16→2048');
    expect(charts.some((c) => c.file.endsWith('-batch-size.svg'))).toBe(true);
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

describe('cabs findings', () => {
  const run = (label: string, points: [number, number][], examplesSeen: number) =>
    ({
      label,
      seed: 1,
      tests: points.map(([examples, trainLoss], i) => ({
        step: i + 1,
        examplesSeen: examples,
        loss: 0,
        accuracy: null,
        trainLoss,
      })),
      final: { trainLoss: points.at(-1)?.[1] ?? Number.NaN, examplesSeen },
    }) as unknown as RunRecord;

  it('compares first crossings of the baseline final loss, interpolating between evaluations', () => {
    // Baseline ends at 0.5 but first dips to it at 200 examples; CABS crosses 0.5 halfway between 100 (0.6) and 200 (0.4).
    const baseline = run(
      'sgd',
      [
        [100, 0.9],
        [200, 0.5],
        [300, 0.55],
        [400, 0.5],
      ],
      400,
    );
    const adaptive = run(
      'cabs',
      [
        [100, 0.6],
        [200, 0.4],
        [300, 0.3],
      ],
      300,
    );
    expect(examplesToReach(adaptive, 0.5)).toBe(150);
    expect(compareToBaseline(adaptive, baseline)).toBe(
      'seed 1: sgd first reaches its final training loss 0.5000 after 200 examples (run: 400); CABS first reaches it after 150 examples (25% fewer).',
    );
    // Identical runs compare as equal, whatever the noise.
    expect(compareToBaseline(baseline, baseline)).toContain('(the same number)');
    expect(compareToBaseline(run('cabs', [[100, 0.8]], 100), baseline)).toContain('CABS never reaches it');
  });
});

describe('lineChart', () => {
  it('names every chart for assistive technology and escapes the name', () => {
    const svg = lineChart({
      title: 'loss <train> & test',
      xLabel: 'examples',
      yLabel: 'loss',
      series: [{ name: 'a', points: [[1, 2]] }],
    });
    expect(svg).toMatch(
      /^<svg [^>]*role="img" aria-label="loss &lt;train&gt; &amp; test"><title>loss &lt;train&gt; &amp; test<\/title>/,
    );
    const empty = lineChart({ title: 'nothing', xLabel: 'x', yLabel: 'y', series: [] });
    expect(empty).toContain('<title>nothing</title>');
    expect(empty).toContain('no data');
  });

  it('grows to show every legend entry', () => {
    const series = Array.from({ length: 7 }, (_, i) => ({
      name: `labpal-nsgd reference (K=100, U=50) s${i}`,
      points: [[1, i + 1]] as [number, number][],
    }));
    const svg = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series });
    const height = Number(/height="(\d+)"/.exec(svg)?.[1]);
    expect(height).toBeGreaterThan(360);
    const ys = [...svg.matchAll(/<text x="[\d.]+" y="([\d.]+)">labpal/g)].map((m) => Number(m[1]));
    expect(ys).toHaveLength(7);
    expect(Math.max(...ys)).toBeLessThan(height);
    const few = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: series.slice(0, 2) });
    expect(few).toContain('height="360"');
  });

  it('leaves out the batch-size chart when every run used one batch size', () => {
    const run = (sizes: number[]) =>
      ({
        label: 'r',
        backend: 'js',
        seed: 1,
        trace: sizes.map((batchSize, i) => ({
          step: i + 1,
          examplesSeen: 10 * (i + 1),
          loss: 1,
          batchSize,
          learningRate: 0.1,
        })),
        tests: [],
      }) as unknown as RunRecord;
    const files = (runs: RunRecord[]) => suiteCharts('s', runs).map((c) => c.file);
    expect(files([run([8, 8]), run([8, 8])])).toEqual(['s-loss.svg', 's-accuracy.svg', 's-learning-rate.svg']);
    expect(files([run([8, 8]), run([8, 16])])).toContain('s-batch-size.svg');
  });

  it('prints distinct tick labels for distinct large ticks', () => {
    expect(formatTick(100000)).not.toBe(formatTick(125000));
    expect(formatTick(2_500_000)).toBe('2.5M');
    expect(formatTick(0.0001)).toBe('1e-4');
  });
});
