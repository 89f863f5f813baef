/** Small statistics shared by the report and the suites' findings. */

/** Mean ± sample standard deviation; `undefined` when there is nothing finite to average. */
export function meanStd(values: readonly number[]): { mean: number; std: number; n: number } | undefined {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return undefined;
  const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
  const std = finite.length > 1 ? Math.sqrt(finite.reduce((a, b) => a + (b - mean) ** 2, 0) / (finite.length - 1)) : 0;
  return { mean, std, n: finite.length };
}
