/** Percentiles and summaries of latency samples (ms), written once for every benchmark. */

/** The nearest-rank percentile of `values` (p in 0–100); NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  return {
    count: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: values.reduce((a, b) => Math.max(a, b), values.length === 0 ? NaN : -Infinity),
  };
}

/** Rounds for JSON results: 0.1 ms resolution is plenty. */
export const round = (n: number, digits = 1): number => Number(n.toFixed(digits));
