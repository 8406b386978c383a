/** Summary statistics and a histogram of lengths (token counts, characters). */

export interface LengthStats {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Bucket upper edges (inclusive) and counts; the last bucket holds everything above. */
  histogram: { upTo: number; count: number }[];
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}

/** Power-of-two buckets (≤16, ≤32, …) read well for sequence lengths and match how people pick max_length. */
export function lengthStats(values: readonly number[]): LengthStats {
  const sorted = [...values].sort((a, b) => a - b);
  const max = sorted[sorted.length - 1] ?? 0;
  const edges: number[] = [];
  for (let edge = 16; edges.length === 0 || edges[edges.length - 1]! < max; edge *= 2) edges.push(edge);
  const histogram = edges.map((upTo) => ({ upTo, count: 0 }));
  for (const v of sorted) histogram.find((b) => v <= b.upTo)!.count += 1;
  return {
    count: sorted.length,
    mean: sorted.length ? sorted.reduce((s, v) => s + v, 0) / sorted.length : 0,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    max,
    histogram,
  };
}
