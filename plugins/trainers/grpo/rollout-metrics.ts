/**
 * What TRL logs about a generation batch and an update, computed in float64 from the rows and the
 * graph's log-probs: completion lengths (all, terminated), the truncated fraction, clip ratios
 * (low: ρ < 1 − ε_low with A < 0; high: ρ > 1 + ε_high with A > 0; region: either), and the k3 KL.
 */
import type { RolloutRow } from 'attune/train';

export interface GeneratedStats {
  readonly lengths: readonly number[];
  readonly terminated: readonly boolean[];
}

function stats(prefix: string, values: readonly number[]): Record<string, number> {
  if (values.length === 0) return {};
  return {
    [`${prefix}/mean_length`]: values.reduce((a, b) => a + b, 0) / values.length,
    [`${prefix}/min_length`]: Math.min(...values),
    [`${prefix}/max_length`]: Math.max(...values),
  };
}

export function completionMetrics(s: GeneratedStats): Record<string, number> {
  const ended = s.lengths.filter((_, i) => s.terminated[i]);
  return {
    ...stats('completions', s.lengths),
    ...stats('completions/terminated', ended),
    'completions/clipped_ratio': s.terminated.filter((t) => !t).length / Math.max(s.terminated.length, 1),
  };
}

export interface RatioAccumulator {
  tokens: number;
  low: number;
  high: number;
  klSum: number;
  klTokens: number;
}

export const emptyRatios = (): RatioAccumulator => ({ tokens: 0, low: 0, high: 0, klSum: 0, klTokens: 0 });

/** Adds one row's tokens: ℓ, π_old (absent: ℓ itself, μ = 1) and π_ref (absent: no KL). */
export function addRatios(acc: RatioAccumulator, row: RolloutRow, logProbs: readonly number[], eps: { low: number; high: number }, refLogProbs?: readonly number[]): void {
  if (row.activeTokens === 0) return;
  logProbs.forEach((l, j) => {
    const old = row.oldLogProbs?.[j] ?? l;
    const ratio = Math.exp(l - old);
    acc.tokens++;
    if (ratio < 1 - eps.low && row.advantage < 0) acc.low++;
    if (ratio > 1 + eps.high && row.advantage > 0) acc.high++;
    if (refLogProbs) {
      const r = (refLogProbs[j] as number) - l;
      acc.klSum += Math.exp(r) - r - 1;
      acc.klTokens++;
    }
  });
}

export function ratioMetrics(acc: RatioAccumulator, withKl: boolean): Record<string, number> {
  const t = Math.max(acc.tokens, 1);
  return {
    'clip_ratio/low_mean': acc.low / t,
    'clip_ratio/high_mean': acc.high / t,
    'clip_ratio/region_mean': (acc.low + acc.high) / t,
    ...(withKl ? { kl: acc.klSum / Math.max(acc.klTokens, 1) } : {}),
  };
}
