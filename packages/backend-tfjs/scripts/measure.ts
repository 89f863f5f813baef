/** Interleaved timing shared by the benchmark scripts. */
export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

/**
 * Median ms per call of each case, and each case's per-round medians. Cases are interleaved
 * round by round, so ratios taken round by round (paired) cancel most of a drifting load.
 */
export async function measure<K extends string>(
  cases: Record<K, (i: number) => Promise<void>>,
  { rounds = 15, perRound = 3, warmup = 3 } = {},
): Promise<{ ms: Record<K, number>; ratio: (a: K, b: K) => number }> {
  const entries = Object.entries(cases) as [K, (i: number) => Promise<void>][];
  const perRoundMs = {} as Record<K, number[]>;
  for (const [name, run] of entries) {
    for (let i = 0; i < warmup; i++) await run(i);
    perRoundMs[name] = [];
  }
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of entries) {
      const samples: number[] = [];
      for (let k = 0; k < perRound; k++) {
        const t0 = performance.now();
        await run(round * perRound + k);
        samples.push(performance.now() - t0);
      }
      perRoundMs[name].push(median(samples));
    }
  }
  const ms = {} as Record<K, number>;
  for (const [name] of entries) ms[name] = median(perRoundMs[name]);
  const ratio = (a: K, b: K) => median(perRoundMs[a].map((v, r) => v / (perRoundMs[b][r] as number)));
  return { ms, ratio };
}
