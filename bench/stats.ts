/** Pure statistics for the benchmarks (proven in test/unit/bench-stats.test.ts). */

/**
 * The p-th percentile (0–100) of the samples, by linear interpolation between closest ranks (the
 * "R-7" method of spreadsheets and numpy's default): p0 is the minimum, p100 the maximum, p50 the median.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError("percentile of no samples");
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lower = sorted[low] as number;
  const upper = sorted[high] as number;
  return lower + (upper - lower) * (rank - low);
}

export const median = (samples: readonly number[]): number => percentile(samples, 50);

export interface Spread {
  n: number;
  median: number;
  p95: number;
  min: number;
  max: number;
}

export function spread(samples: readonly number[]): Spread {
  return {
    n: samples.length,
    median: median(samples),
    p95: percentile(samples, 95),
    min: Math.min(...samples),
    max: Math.max(...samples),
  };
}

/** Rounds for reports: 3 significant digits, integers kept whole. */
export function round3(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  if (Math.abs(value) >= 100) return Math.round(value);
  const digits = 2 - Math.floor(Math.log10(Math.abs(value)));
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
