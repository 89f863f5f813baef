/** Timing shared by the benchmark scripts. */

/**
 * Median milliseconds per call of each case. Cases are interleaved (a few calls of each per
 * round, many rounds), so load that drifts during the run hits every case alike and the
 * ratios between them stay meaningful on a busy machine.
 */
export async function measure<K extends string>(
  cases: Record<K, (i: number) => Promise<void> | void>,
  { rounds = 30, perRound = 5, warmup = 5 } = {},
): Promise<Record<K, number>> {
  const entries = Object.entries(cases) as [K, (i: number) => Promise<void> | void][];
  const samples = {} as Record<K, number[]>;
  for (const [name, run] of entries) {
    for (let i = 0; i < warmup; i++) await run(i);
    samples[name] = [];
  }
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of entries) {
      for (let k = 0; k < perRound; k++) {
        const t0 = performance.now();
        await run(round * perRound + k);
        samples[name].push(performance.now() - t0);
      }
    }
  }
  const medians = {} as Record<K, number>;
  for (const [name] of entries) {
    const list = samples[name].sort((a, b) => a - b);
    medians[name] = list[Math.floor(list.length / 2)] as number;
  }
  return medians;
}
