/** Timing shared by the benchmark scripts. */

type Cases<K extends string> = Record<K, (i: number) => Promise<void> | void>;

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

/**
 * Milliseconds of every call of each case, by round: wall-clock time, and the process's CPU
 * time (user + system, every thread), which other jobs on a shared machine inflate far less.
 * Cases are interleaved (a few calls of each per round, many rounds), so load that drifts
 * during the run hits every case alike.
 */
export async function measureRounds<K extends string>(
  cases: Cases<K>,
  { rounds = 30, perRound = 5, warmup = 5 } = {},
): Promise<{ wall: Record<K, number[][]>; cpu: Record<K, number[][]> }> {
  const entries = Object.entries(cases) as [K, (i: number) => Promise<void> | void][];
  const wall = {} as Record<K, number[][]>;
  const cpu = {} as Record<K, number[][]>;
  for (const [name, run] of entries) {
    for (let i = 0; i < warmup; i++) await run(i);
    wall[name] = [];
    cpu[name] = [];
  }
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of entries) {
      const times: number[] = [];
      const cpuTimes: number[] = [];
      for (let k = 0; k < perRound; k++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await run(round * perRound + k);
        times.push(performance.now() - t0);
        const used = process.cpuUsage(c0);
        cpuTimes.push((used.user + used.system) / 1000);
      }
      wall[name].push(times);
      cpu[name].push(cpuTimes);
    }
  }
  return { wall, cpu };
}

/** Median wall-clock milliseconds per call of each case, interleaved as `measureRounds` runs them. */
export async function measure<K extends string>(
  cases: Cases<K>,
  options: { rounds?: number; perRound?: number; warmup?: number } = {},
): Promise<Record<K, number>> {
  const { wall } = await measureRounds(cases, options);
  const medians = {} as Record<K, number>;
  for (const name of Object.keys(wall) as K[]) medians[name] = median(wall[name].flat());
  return medians;
}

/**
 * The median over rounds of case a's time over case b's in the same round (each the round's
 * median): on a shared machine, paired ratios drift far less than a ratio of overall medians.
 */
export function pairedRatio(rounds: Record<string, number[][]>, a: string, b: string): number {
  const [top, bottom] = [rounds[a] ?? [], rounds[b] ?? []];
  return median(top.map((times, r) => median(times) / median(bottom[r] ?? [Number.NaN])));
}
