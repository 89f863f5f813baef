/**
 * One self-contained HTML page (inline CSS and SVG, no scripts, nothing fetched at view time)
 * with the summary tables and charts of a bench run; the charts are also returned as
 * standalone SVG documents to be written beside it.
 */

import { createHash } from 'node:crypto';
import type { BenchResults, RunRecord } from '../results';
import { meanStd } from '../stats';
import { isStepCostRecord } from '../suites/speed-table';
import { escapeXml } from './escape-xml';
import { stepCostTables } from './step-cost-table';
import { lineChart, type Series } from './svg-chart';

const fixed = (v: number | null | undefined, digits: number) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
const percent = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(2)}%`;

export interface Chart {
  readonly file: string;
  readonly svg: string;
}

const runName = (r: RunRecord, many: boolean) =>
  `${r.label}${many ? ` [${r.backend}]` : ''}${r.seed ? ` s${r.seed}` : ''}`;

/**
 * The charts of one suite (× dataset): loss, accuracy and batch size against examples seen (the
 * batch size only when it varies), learning rate against steps; for line searches (runs whose
 * trace has step sizes) the step size in force against steps, and for LABPAL the raw fitted
 * step of every window with the cap it was clipped to. Results written before step sizes were
 * traced simply have no step-size charts.
 */
export function suiteCharts(suite: string, runs: readonly RunRecord[]): Chart[] {
  const manyBackends = new Set(runs.map((r) => r.backend)).size > 1;
  const key = chartKey(suite);
  // The exact loss over the training split when the suite measured it; else smoothed batch losses.
  const exact = runs.every((r) => r.tests.some((t) => t.trainLoss !== null));
  const series = (pick: (r: RunRecord) => Series['points'], markers = false): Series[] =>
    runs.map((r) => ({ name: runName(r, manyBackends), points: pick(r), markers }));
  const batchSizes = new Set(runs.flatMap((r) => r.trace.map((t) => t.batchSize)));
  const charts: (Chart | undefined)[] = [
    {
      file: `${key}-loss.svg`,
      svg: lineChart(
        exact
          ? {
              title: `${suite}: training loss (whole training split)`,
              xLabel: 'examples seen',
              yLabel: 'training loss',
              logY: true,
              series: series((r) => r.tests.map((t) => [t.examplesSeen, t.trainLoss ?? Number.NaN])),
            }
          : {
              title: `${suite}: training loss`,
              xLabel: 'examples seen',
              yLabel: 'batch loss (smoothed)',
              logY: true,
              series: series((r) => smooth(r.trace.map((t) => [t.examplesSeen, t.loss]))),
            },
      ),
    },
    {
      file: `${key}-accuracy.svg`,
      svg: lineChart({
        title: `${suite}: test accuracy`,
        xLabel: 'examples seen',
        yLabel: 'test accuracy',
        series: series((r) => r.tests.map((t) => [t.examplesSeen, t.accuracy ?? Number.NaN])),
      }),
    },
    // One batch size for every run and step says nothing a chart would add.
    batchSizes.size <= 1
      ? undefined
      : {
          file: `${key}-batch-size.svg`,
          svg: lineChart({
            title: `${suite}: batch size`,
            xLabel: 'examples seen',
            yLabel: 'batch size',
            logY: true,
            series: series((r) => r.trace.map((t) => [t.examplesSeen, t.batchSize])),
          }),
        },
    {
      file: `${key}-learning-rate.svg`,
      svg: lineChart({
        title: `${suite}: learning rate`,
        xLabel: 'step',
        yLabel: 'learning rate',
        logY: true,
        series: series((r) => r.trace.map((t) => [t.step, t.learningRate])),
      }),
    },
    ...stepSizeCharts(suite, key, runs, manyBackends),
  ];
  return charts.filter((c): c is Chart => c !== undefined);
}

/**
 * The file-name stem of a group's charts: the title with every run of other characters made one
 * `-`; a stem over 100 characters (a deep model's summary) keeps its first 80 and a hash of the
 * whole, so names stay unique and within file-system limits.
 */
export function chartKey(title: string): string {
  const slug = title.replace(/[^a-z0-9-]+/gi, '-');
  if (slug.length <= 100) return slug;
  return `${slug.slice(0, 80)}-${createHash('sha256').update(title).digest('hex').slice(0, 12)}`;
}

function stepSizeCharts(suite: string, key: string, runs: readonly RunRecord[], manyBackends: boolean): Chart[] {
  const stepped = runs.filter((r) => r.trace.some((t) => t.stepSize !== undefined));
  const windows = runs.filter((r) => r.events?.some((e) => e.kind === 'line-search'));
  const charts: Chart[] = [];
  if (stepped.length > 0) {
    charts.push({
      file: `${key}-step-size.svg`,
      svg: lineChart({
        title: `${suite}: step size (LABPAL s̄, SGD mode λ̄; PAL s)`,
        xLabel: 'step',
        yLabel: 'step size',
        logY: true,
        series: stepped.map((r) => ({
          name: runName(r, manyBackends),
          points: r.trace.map((t) => [t.step, t.stepSize ?? Number.NaN] as const),
        })),
      }),
    });
  }
  if (windows.length > 0) {
    const lineSearches = (r: RunRecord) => (r.events ?? []).flatMap((e) => (e.kind === 'line-search' ? [e] : []));
    charts.push({
      file: `${key}-labpal-windows.svg`,
      svg: lineChart({
        title: `${suite}: LABPAL windows — raw fitted step −b/(2a) (markers) and the cap s_max (lines)`,
        xLabel: 'step',
        yLabel: 'step along u',
        logY: true,
        series: windows.flatMap((r) => [
          {
            name: `${runName(r, manyBackends)} raw`,
            markers: true,
            points: lineSearches(r).map((e) => [e.step, e.rawStep ?? Number.NaN] as const),
          },
          {
            name: `${runName(r, manyBackends)} cap`,
            points: lineSearches(r).map((e) => [e.step, e.maxStepSize] as const),
          },
        ]),
      }),
    });
  }
  return charts;
}

/** One row per LABPAL window and per Arbiter decision, for the report's decision tables. */
export function decisionTables(runs: readonly RunRecord[]): string {
  const manyBackends = new Set(runs.map((r) => r.backend)).size > 1;
  const windows: string[][] = [];
  const decisions: string[][] = [];
  const sig = (v: number | null) => (v === null || !Number.isFinite(v) ? '–' : String(Number(v.toPrecision(4))));
  for (const r of runs) {
    for (const e of r.events ?? []) {
      if (e.kind === 'line-search') {
        windows.push([
          runName(r, manyBackends),
          String(e.step),
          sig(e.rawStep),
          sig(e.maxStepSize),
          e.clipped ? 'yes' : 'no',
          sig(e.stepSize),
          e.accepted ? 'yes' : (e.reason ?? 'no'),
        ]);
      } else {
        decisions.push([
          runName(r, manyBackends),
          String(e.epoch + 1),
          String(e.step),
          String(e.nextBatchSize),
          e.candidates.map((c, i) => `${c} (${sig(e.weights[i] ?? Number.NaN)})`).join(', '),
          e.chosenIndex === null ? '–' : String(e.candidates[e.chosenIndex] ?? e.chosenIndex),
        ]);
      }
    }
  }
  return (
    (windows.length > 0
      ? `<details><summary>LABPAL measurement windows (${windows.length})</summary>${table(['run', 'step', 'raw step −b/(2a)', 'cap s_max', 'clipped', 'window step s', 'accepted'], windows)}</details>`
      : '') +
    (decisions.length > 0
      ? `<h3>Arbiter batch-size decisions</h3><p>At each epoch end: the batch size of the next epoch, and the candidates with their mixture weights at that step. With a fixed schedule the next size follows the schedule, whatever the agent chose.</p>${table(['run', 'after epoch', 'step', 'next batch size', 'candidates (mixture weight π)', "agent's choice"], decisions)}`
      : '')
  );
}

/** Running mean over a window of ~2% of the points, so noisy batch losses stay readable. */
function smooth(points: readonly (readonly [number, number])[]): [number, number][] {
  const w = Math.max(1, Math.round(points.length / 50));
  const out: [number, number][] = [];
  let sum = 0;
  const finite = points.filter(([, y]) => Number.isFinite(y));
  finite.forEach(([x, y], i) => {
    sum += y;
    if (i >= w) sum -= (finite[i - w] as readonly [number, number])[1];
    out.push([x, sum / Math.min(i + 1, w)]);
  });
  return out;
}

/** Mean ± sample std of final test accuracy and train loss per (label, backend), when seeds repeat. */
export function aggregateBySeed(runs: readonly RunRecord[]): string[][] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of runs)
    groups.set(`${r.label}\u0000${r.backend}`, [...(groups.get(`${r.label}\u0000${r.backend}`) ?? []), r]);
  if (![...groups.values()].some((g) => g.length > 1)) return [];
  return [...groups.values()].map((g) => {
    const acc = meanStd(g.map((r) => r.final.testAccuracy ?? Number.NaN));
    const loss = meanStd(g.map((r) => r.final.trainLoss));
    return [
      g[0]?.label ?? '',
      g[0]?.backend ?? '',
      String(g.length),
      acc ? `${(acc.mean * 100).toFixed(2)} ± ${(acc.std * 100).toFixed(2)}%` : '–',
      loss ? `${loss.mean.toFixed(4)} ± ${loss.std.toFixed(4)}` : '–',
    ];
  });
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = headers.map((h) => `<th>${escapeXml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

export function renderReport(results: BenchResults): { html: string; charts: Chart[] } {
  const charts: Chart[] = [];
  const sections: string[] = [];
  const m = results.machine;
  sections.push(
    `<p class="meta">${escapeXml(results.createdAt)} · ${escapeXml(m.cpuModel)} × ${m.cpus} · ${m.memoryGiB} GiB · Node ${escapeXml(m.node)} · <code>${escapeXml(results.command.join(' '))}</code></p>`,
  );
  if (results.findings.length > 0) {
    sections.push(
      `<h2>Findings</h2><ul>${results.findings.map((f) => `<li><b>${escapeXml(f.suite)}</b>: ${escapeXml(f.text)}</li>`).join('')}</ul>`,
    );
  }
  if (results.skipped.length > 0) {
    sections.push(
      `<h2>Skipped backends</h2>${table(
        ['backend', 'reason'],
        results.skipped.map((s) => [s.backend, s.reason]),
      )}`,
    );
  }
  const groups = new Map<string, RunRecord[]>();
  for (const run of results.runs) {
    const key = `${run.suite} · ${run.dataset} · ${run.model}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  for (const [title, runs] of groups) {
    const rows = runs.map((r) => [
      r.label,
      r.backend,
      String(r.seed),
      fixed(r.final.trainLoss, 4),
      percent(r.final.testAccuracy),
      String(r.final.examplesSeen),
      String(r.final.steps),
      fixed(r.final.msPerStep, 2),
      fixed(r.final.wallMs / 1000, 1),
      r.error ?? '',
    ]);
    const aggregate = aggregateBySeed(runs);
    const suiteCharts_ = suiteCharts(title, runs);
    charts.push(...suiteCharts_);
    sections.push(
      `<h2>${escapeXml(title)}</h2>${table(['run', 'backend', 'seed', 'train loss', 'test acc.', 'examples', 'steps', 'ms/step', 'wall s', 'error'], rows)}` +
        (aggregate.length > 0
          ? `<h3>Final-epoch results over seeds (mean ± std)</h3>${table(['run', 'backend', 'seeds', 'test acc.', 'train loss'], aggregate)}`
          : '') +
        `<div class="charts">${suiteCharts_.map((c) => `<figure>${c.svg}</figure>`).join('')}</div>` +
        decisionTables(runs),
    );
  }
  // The step table's rows have a table of their own (per backend, algorithm × batch size).
  const speed = results.speed.filter((s) => !isStepCostRecord(s));
  if (speed.length > 0) {
    sections.push(
      `<h2>Speed</h2>${table(
        ['backend', 'model', 'batch', 'measure', 'ms/step', 'GFLOP/s', 'reps'],
        speed.map((s) => [
          s.backend,
          s.model,
          String(s.batchSize),
          s.measure,
          fixed(s.msPerStep, 3),
          fixed(s.gflops, 2),
          String(s.repetitions),
        ]),
      )}`,
    );
    const measures = [...new Set(speed.filter((s) => s.measure !== 'matmul').map((s) => s.measure))];
    const backends = [...new Set(speed.map((s) => s.backend))];
    const chart = lineChart({
      title: 'speed: ms per step by measure (x: measure index)',
      xLabel: measures.map((name, i) => `${i}=${name}`).join(', '),
      yLabel: 'ms per step',
      logY: true,
      series: backends.map((b) => ({
        name: b,
        markers: true,
        points: measures.map(
          (name, i) => [i, speed.find((s) => s.backend === b && s.measure === name)?.msPerStep ?? Number.NaN] as const,
        ),
      })),
    });
    charts.push({ file: 'speed.svg', svg: chart });
    sections.push(`<div class="charts"><figure>${chart}</figure></div>`);
  }
  for (const steps of stepCostTables(results.speed)) {
    sections.push(
      `<h2>Step cost · ${escapeXml(steps.backend)}</h2><p>ms per step on mlp 784-512-10 over the MNIST digits, and the ratio to the plain step of the algorithm's base optimiser at the same batch size (medians of interleaved repeats).</p>${table(steps.headers, steps.rows)}`,
    );
  }
  if (results.equivalence.length > 0) {
    sections.push(
      `<h2>Equivalence against the reference backend</h2>${table(
        ['backend', 'reference', 'model', 'quantity', 'max rel. diff', 'tolerance', 'pass'],
        results.equivalence.map((e) => [
          e.backend,
          e.reference,
          e.model,
          e.quantity,
          e.maxRelativeDifference.toExponential(2),
          e.tolerance.toExponential(0),
          e.pass ? '✓' : '✗',
        ]),
      )}`,
    );
  }
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>abs bench report</title><style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.meta{color:#666}
.charts{display:flex;flex-wrap:wrap;gap:8px}figure{margin:0}svg{max-width:100%;height:auto}
</style></head><body><h1>abs bench report</h1>${sections.join('\n')}</body></html>`;
  return { html, charts };
}
