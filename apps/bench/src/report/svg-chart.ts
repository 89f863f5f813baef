/**
 * Self-contained SVG line charts (no scripts, no fonts to fetch): several named series on
 * linear or log axes, with ticks, grid and a legend. Used inline in report.html and written
 * as standalone .svg files.
 */
import { escapeXml } from './escape-xml';
export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
  /** Draw markers instead of a line (for sparse points such as test evaluations). */
  readonly markers?: boolean;
}

export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly logY?: boolean;
  readonly logX?: boolean;
  readonly width?: number;
  readonly height?: number;
}

export const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#7f7f7f',
  '#bcbd22',
];

function niceTicks(min: number, max: number, count: number): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of max / min > 1000 ? [1] : [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= min * 0.999 && v <= max * 1.001) ticks.push(v);
    }
  }
  return ticks;
}

/** Tick labels: 125000 → 125k, 2500000 → 2.5M, 0.0005 → 5e-4; short and distinct. */
export function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  if (a !== 0 && a < 1e-3) return v.toExponential(0);
  return Number(v.toPrecision(4)).toString();
}

export function lineChart(options: ChartOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? 360;
  const margin = { left: 64, right: 16, top: 32, bottom: 64 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const valid = (x: number, y: number) =>
    Number.isFinite(x) && Number.isFinite(y) && (!options.logY || y > 0) && (!options.logX || x > 0);
  const all = options.series.flatMap((s) => s.points.filter(([x, y]) => valid(x, y)));
  const legend = layoutLegend(options.series, margin.left, width - margin.right);
  // Two legend rows fit in the bottom margin; the chart grows by one line per further row.
  const totalHeight = height + Math.max(0, legend.rows - 2) * LEGEND_ROW;
  const header = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${totalHeight}" width="${width}" height="${totalHeight}" font-family="system-ui, sans-serif" font-size="11" role="img" aria-label="${escapeXml(options.title)}"><title>${escapeXml(options.title)}</title>`;
  const title = `<text x="${width / 2}" y="18" text-anchor="middle" font-size="13" font-weight="600">${escapeXml(options.title)}</text>`;
  if (all.length === 0) {
    return `${header}${title}<text x="${width / 2}" y="${height / 2}" text-anchor="middle" fill="#777">no data</text></svg>`;
  }
  const tx = (v: number) => (options.logX ? Math.log10(v) : v);
  const ty = (v: number) => (options.logY ? Math.log10(v) : v);
  let [x0, x1] = [Math.min(...all.map((p) => tx(p[0]))), Math.max(...all.map((p) => tx(p[0])))];
  let [y0, y1] = [Math.min(...all.map((p) => ty(p[1]))), Math.max(...all.map((p) => ty(p[1])))];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  if (y1 === y0)
    [y0, y1] = [
      y0 - (options.logY ? 0.5 : Math.abs(y0) * 0.1 || 1),
      y1 + (options.logY ? 0.5 : Math.abs(y1) * 0.1 || 1),
    ];
  const px = (v: number) => margin.left + ((tx(v) - x0) / (x1 - x0)) * plotW;
  const py = (v: number) => margin.top + plotH - ((ty(v) - y0) / (y1 - y0)) * plotH;
  const parts: string[] = [header, title];
  const xTicks = options.logX ? logTicks(10 ** x0, 10 ** x1) : niceTicks(x0, x1, 6);
  const yTicks = options.logY ? logTicks(10 ** y0, 10 ** y1) : niceTicks(y0, y1, 5);
  for (const t of xTicks) {
    const x = px(t).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#eee"/>`);
    parts.push(
      `<text x="${x}" y="${margin.top + plotH + 14}" text-anchor="middle" fill="#444">${formatTick(t)}</text>`,
    );
  }
  for (const t of yTicks) {
    const y = py(t).toFixed(1);
    parts.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    parts.push(`<text x="${margin.left - 6}" y="${y}" dy="3" text-anchor="end" fill="#444">${formatTick(t)}</text>`);
  }
  parts.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
  );
  parts.push(
    `<text x="${margin.left + plotW / 2}" y="${margin.top + plotH + 30}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
  );
  parts.push(
    `<text transform="translate(14 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}${options.logY ? ' (log)' : ''}</text>`,
  );
  options.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length] as string;
    const pts = s.points.filter(([x, y]) => valid(x, y));
    if (s.markers) {
      for (const [x, y] of pts)
        parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${color}"/>`);
    } else if (pts.length > 0) {
      const d = pts.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join('');
      parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
    }
  });
  // Legend below the axis, wrapping.
  legend.entries.forEach(({ x, row }, i) => {
    const y = margin.top + plotH + 46 + row * LEGEND_ROW;
    const color = PALETTE[i % PALETTE.length] as string;
    parts.push(
      `<rect x="${x}" y="${y - 8}" width="12" height="8" fill="${color}"/><text x="${x + 16}" y="${y}">${escapeXml(options.series[i]?.name ?? '')}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

const LEGEND_ROW = 14;

/** Where each legend entry goes: left to right, wrapping at `right`; entry widths estimated from the label. */
function layoutLegend(
  series: readonly Series[],
  left: number,
  right: number,
): { entries: { x: number; row: number }[]; rows: number } {
  let x = left;
  let row = 0;
  const entries = series.map((s) => {
    const w = 18 + s.name.length * 6.2 + 12;
    if (x > left && x + w > right) {
      x = left;
      row += 1;
    }
    const entry = { x, row };
    x += w;
    return entry;
  });
  return { entries, rows: series.length === 0 ? 0 : row + 1 };
}
