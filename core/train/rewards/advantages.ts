/**
 * Reward statistics and GRPO advantages, as TRL computes them (see GRPO-DPO-FACTS.md):
 * standard deviations are the unbiased (n − 1) kind over the non-null values, the
 * normalizing epsilon is 1e-4, and a completion with no score at all (every reward null) is
 * left out of every statistic and gets advantage 0.
 *
 * Where TRL's arithmetic would give NaN (the std of fewer than two values), the value it
 * scales is 0 anyway (a single value equals its mean), so these helpers give 0 there.
 */

/** Added to the standard deviation before dividing by it (TRL's value). */
export const REWARD_STD_EPSILON = 1e-4;

/** How `sum_then_normalize` scales the centred rewards: by the group's std, the batch's std, or not at all. */
export type ScaleRewards = 'group' | 'batch' | 'none';

/** Mean of the non-null values; NaN when there are none. */
export function nanMean(values: readonly (number | null)[]): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (v === null) continue;
    sum += v;
    n++;
  }
  return n === 0 ? Number.NaN : sum / n;
}

/** Unbiased (n − 1) standard deviation of the non-null values; NaN for fewer than two. */
export function nanStd(values: readonly (number | null)[]): number {
  const mean = nanMean(values);
  let squares = 0;
  let n = 0;
  for (const v of values) {
    if (v === null) continue;
    squares += (v - mean) ** 2;
    n++;
  }
  return n < 2 ? Number.NaN : Math.sqrt(squares / (n - 1));
}

export interface RewardSummary {
  name: string;
  weight: number;
  /** Completions the reward scored, and those it left null. */
  scored: number;
  nulls: number;
  /** Over the non-null scores (null when there are too few): the statistics the runner logs. */
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
}

/** One reward's column summarized with the runner's nanMean / nanStd. */
export function rewardSummary(name: string, weight: number, scores: readonly (number | null)[]): RewardSummary {
  const values = scores.filter((s): s is number => s !== null);
  const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);
  return {
    name,
    weight,
    scored: values.length,
    nulls: scores.length - values.length,
    mean: orNull(nanMean(scores)),
    std: orNull(nanStd(scores)),
    min: values.length ? Math.min(...values) : null,
    max: values.length ? Math.max(...values) : null,
  };
}

/** The completion indices of each group, groups in order of first appearance. */
export function groupIndices(groups: readonly number[]): number[][] {
  const byGroup = new Map<number, number[]>();
  groups.forEach((g, i) => {
    const members = byGroup.get(g);
    if (members) members.push(i);
    else byGroup.set(g, [i]);
  });
  return [...byGroup.values()];
}

const orZero = (std: number): number => (Number.isNaN(std) ? 0 : std);

/**
 * Each non-null value minus its group's mean, divided by `divisor(group std)`; nulls stay null
 * and take no part in the statistics.
 */
function centreWithinGroups(values: readonly (number | null)[], groups: readonly number[], divisor: (groupStd: number) => number): (number | null)[] {
  const out: (number | null)[] = values.map(() => null);
  for (const members of groupIndices(groups)) {
    const own = members.map((i) => values[i] ?? null);
    const mean = nanMean(own);
    const by = divisor(orZero(nanStd(own)));
    for (const i of members) {
      const v = values[i] ?? null;
      out[i] = v === null ? null : (v - mean) / by;
    }
  }
  return out;
}

/**
 * Each value minus its group's mean, divided by (group std + 1e-4); nulls stay null and take
 * no part in the statistics. This is how `normalize_then_sum` treats each reward.
 */
export function normalizeWithinGroups(values: readonly (number | null)[], groups: readonly number[]): (number | null)[] {
  return centreWithinGroups(values, groups, (std) => std + REWARD_STD_EPSILON);
}

/**
 * GRPO advantages of combined rewards under `sum_then_normalize`: R − (group mean of R),
 * divided by (σ + 1e-4) where σ is the group's std (`group`) or the whole batch's (`batch`);
 * not divided for `none`. A null reward (a completion no reward scored) is left out of the
 * statistics and gets 0.
 */
export function groupAdvantages(rewards: readonly (number | null)[], groups: readonly number[], scale: ScaleRewards): number[] {
  const batchStd = orZero(nanStd(rewards));
  const divisor = scale === 'none' ? () => 1 : scale === 'batch' ? () => batchStd + REWARD_STD_EPSILON : (std: number) => std + REWARD_STD_EPSILON;
  return centreWithinGroups(rewards, groups, divisor).map((a) => a ?? 0);
}

/** (v − batch mean) / (batch std + 1e-4) over the non-null values; null gives 0. */
export function batchNormalize(values: readonly (number | null)[]): number[] {
  const mean = nanMean(values);
  const std = orZero(nanStd(values));
  return values.map((v) => (v === null ? 0 : (v - mean) / (std + REWARD_STD_EPSILON)));
}
