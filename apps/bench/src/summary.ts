/** The terminal summary printed at the end of a bench run. */
import type { BenchResults } from './results';

const pad = (rows: string[][]) => {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows
    .map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  '))
    .join('\n');
};
const num = (v: number | null | undefined, digits: number) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);

export function printSummary(results: BenchResults, out: { write(text: string): unknown }): void {
  if (results.runs.length > 0) {
    const rows = [['suite / run', 'backend', 'seed', 'train loss', 'test acc', 'examples', 'ms/step']];
    for (const r of results.runs) {
      rows.push([
        `${r.suite} / ${r.label}${r.error ? ' (failed)' : ''}`,
        r.backend,
        String(r.seed),
        num(r.final.trainLoss, 4),
        r.final.testAccuracy === null ? '–' : `${(r.final.testAccuracy * 100).toFixed(2)}%`,
        String(r.final.examplesSeen),
        num(r.final.msPerStep, 2),
      ]);
    }
    out.write(`\n${pad(rows)}\n`);
  }
  if (results.speed.length > 0) {
    const rows = [['speed', 'measure', 'ms/step', 'GFLOP/s']];
    for (const s of results.speed) rows.push([s.backend, s.measure, num(s.msPerStep, 3), num(s.gflops, 2)]);
    out.write(`\n${pad(rows)}\n`);
  }
  if (results.equivalence.length > 0) {
    const rows = [['equivalence vs js', 'quantity', 'max rel diff', 'pass']];
    for (const e of results.equivalence)
      rows.push([e.backend, e.quantity, e.maxRelativeDifference.toExponential(2), e.pass ? 'yes' : 'NO']);
    out.write(`\n${pad(rows)}\n`);
  }
  for (const f of results.findings) out.write(`\n${f.suite}: ${f.text}`);
  if (results.findings.length > 0) out.write('\n');
  for (const s of results.skipped) out.write(`skipped ${s.backend}: ${s.reason}\n`);
}
