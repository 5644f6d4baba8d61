// Percentiles and ratios for the benchmarks: pure functions over lists of timings.

/** The p-th percentile (0 < p ≤ 100) by nearest rank: the smallest sample with at least p % of samples at or below it. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError("a percentile needs at least one sample");
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside (0, 100]`);
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

export interface Summary {
  count: number;
  p50: number;
  p99: number;
}

/** Count, p50 and p99 of a list of samples. */
export function summarize(values: readonly number[]): Summary {
  return { count: values.length, p50: percentile(values, 50), p99: percentile(values, 99) };
}

/** How the first summary compares with the second, percentile by percentile. */
export function ratios(numerator: Summary, denominator: Summary): { p50: number; p99: number } {
  return { p50: numerator.p50 / denominator.p50, p99: numerator.p99 / denominator.p99 };
}

/**
 * The samples' own noise: the first half's p50 and p99 over the second half's. Two halves of the same
 * measurement score 1.00 on a steady machine; how far they stray is what the machine alone does to a ratio.
 */
export function selfNoise(values: readonly number[]): { p50: number; p99: number } {
  if (values.length < 2) throw new RangeError("self-noise needs at least two samples");
  const middle = Math.floor(values.length / 2);
  return ratios(summarize(values.slice(0, middle)), summarize(values.slice(middle)));
}
