/**
 * A dependency-free terminal progress bar with ETA. Redraws in place on a TTY and prints
 * a line per update otherwise (CI logs), at most every `minIntervalMs`.
 */
export interface ProgressBar {
  update(done: number, note?: string): void;
  finish(note?: string): void;
}

const formatSeconds = (s: number) =>
  s < 60 ? `${s.toFixed(0)}s` : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;

export function createProgressBar(options: {
  label: string;
  total: number;
  stream?: NodeJS.WriteStream;
  minIntervalMs?: number;
}): ProgressBar {
  const stream = options.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY);
  const minInterval = options.minIntervalMs ?? (tty ? 100 : 5000);
  const started = performance.now();
  let last = 0;
  const render = (done: number, note: string, final: boolean) => {
    const now = performance.now();
    if (!final && now - last < minInterval) return;
    last = now;
    const fraction = Math.min(1, done / Math.max(1, options.total));
    const elapsed = (now - started) / 1000;
    const eta = fraction > 0 ? (elapsed / fraction) * (1 - fraction) : Number.NaN;
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const timing = final ? `${formatSeconds(elapsed)}` : `ETA ${Number.isFinite(eta) ? formatSeconds(eta) : '?'}`;
    const line = `${options.label} ${bar} ${(fraction * 100).toFixed(0).padStart(3)}% ${timing} ${note}`;
    if (tty) stream.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
    else stream.write(`${line}\n`);
  };
  return {
    update: (done, note = '') => render(done, note, false),
    finish: (note = '') => render(options.total, note, true),
  };
}
