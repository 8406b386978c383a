/**
 * The reward runner: scores a rollout batch with several weighted rewards (called
 * concurrently, results kept in order), checks what each returns, combines them as TRL does
 * and turns them into GRPO advantages, with TRL's metric names.
 *
 * - combined reward R_i = Σ_k w_k r_ik summed over the rewards that scored completion i
 *   (torch.nansum: a null is skipped). A completion that no reward scored gets R = 0 (what
 *   nansum gives) but is marked `counted: false`: it is left out of the group and batch
 *   statistics and of the `reward` metrics, and its advantage is 0 (GRPO-DPO-FACTS.md).
 * - `sum_then_normalize` (default): advantages from R by `scaleRewards` (see groupAdvantages).
 * - `normalize_then_sum` (GDPO): each reward is normalized within its group, the normalized
 *   rewards are summed with weights, and that sum is normalized by the batch mean and std;
 *   `scaleRewards` is not used.
 */
import { AttuneError } from '../../base/errors.js';
import type { Message } from '../../kernel/extension-points/example.js';
import type { Reward, RewardBatch } from '../../kernel/extension-points/reward.js';
import { batchNormalize, groupAdvantages, groupIndices, nanMean, nanStd, normalizeWithinGroups } from './advantages.js';
import type { ScaleRewards } from './advantages.js';

export type RewardAggregation = 'sum_then_normalize' | 'normalize_then_sum';

export interface RewardEntry {
  /** Names the reward in metrics (`rewards/<name>/mean`) and errors. */
  name: string;
  weight: number;
  reward: Reward;
}

export interface RewardRunnerOptions {
  /** Default `sum_then_normalize` (TRL's). */
  aggregation?: RewardAggregation;
  /** Default `group` (TRL's); only used by `sum_then_normalize`. */
  scaleRewards?: ScaleRewards;
}

export interface RewardRunResult {
  /** Each reward's raw scores, by name in entry order, aligned with the batch's completions. */
  scores: Record<string, (number | null)[]>;
  /** Weighted sum of the non-null scores per completion; 0 where no reward scored it. */
  combined: number[];
  /** False where every reward returned null: such a completion is out of every statistic. */
  counted: boolean[];
  /** One GRPO advantage per completion (0 where not counted). */
  advantages: number[];
  /**
   * `rewards/<name>/mean` and `/std` (over that reward's non-null scores; the mean is absent when
   * it scored nothing, the std when it scored fewer than two), `reward` (mean of `combined` over
   * counted completions), `reward_std` (the std that scales the advantages, averaged over counted
   * completions: the batch std of R for `sum_then_normalize` + `batch`, otherwise the std of R
   * within each completion's group) and `frac_reward_zero_std` (fraction of counted completions
   * whose std is 0, i.e. that carry no learning signal).
   */
  metrics: Record<string, number>;
}

/** A reward that misbehaved, or a batch the runner cannot score; names the reward and, where one, the completion. */
export class RewardError extends AttuneError {
  override name = 'RewardError';

  constructor(
    message: string,
    hint: string | undefined,
    readonly reward?: string,
    readonly index?: number,
  ) {
    super(message, hint);
  }
}

const PROMPT_PREVIEW = 60;

/** The first 60 characters of the user turn a completion answers (the last user message). */
export function promptPreview(prompt: readonly Message[] | undefined): string {
  const turns = prompt ?? [];
  const last = [...turns].reverse().find((m) => m.role === 'user') ?? turns.at(-1);
  const text = (last?.content ?? '').replace(/\s+/g, ' ').trim();
  return text.length > PROMPT_PREVIEW ? `${text.slice(0, PROMPT_PREVIEW)}…` : text;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
  return `${Array.isArray(value) ? 'list' : typeof value} ${String(JSON.stringify(value) ?? value).slice(0, 40)}`;
}

const ZERO_STD = 1e-8;

export class RewardRunner {
  readonly aggregation: RewardAggregation;
  readonly scaleRewards: ScaleRewards;
  private readonly entries: readonly RewardEntry[];

  constructor(entries: readonly RewardEntry[], options: RewardRunnerOptions = {}) {
    if (entries.length === 0) throw new RewardError('The reward runner needs at least one reward.', 'Add a reward to the config, with its weight.');
    const seen = new Set<string>();
    for (const entry of entries) {
      if (!entry.name) throw new RewardError('A reward needs a name (it names its metrics and errors).', undefined);
      if (seen.has(entry.name)) throw new RewardError(`Two rewards are named '${entry.name}'.`, 'Give each reward a distinct name: metrics are logged as rewards/<name>/mean.', entry.name);
      seen.add(entry.name);
      if (!Number.isFinite(entry.weight)) throw new RewardError(`Reward '${entry.name}' has weight ${entry.weight}; a weight must be a finite number.`, undefined, entry.name);
    }
    this.entries = [...entries];
    this.aggregation = options.aggregation ?? 'sum_then_normalize';
    this.scaleRewards = options.scaleRewards ?? 'group';
  }

  get names(): string[] {
    return this.entries.map((e) => e.name);
  }

  async score(batch: RewardBatch): Promise<RewardRunResult> {
    const n = batch.completions.length;
    checkBatch(batch);
    // Call every reward at once; a synchronous throw becomes that reward's rejection.
    const settled = await Promise.allSettled(this.entries.map(async (entry) => entry.reward.score(batch)));
    const scores: Record<string, (number | null)[]> = {};
    // Report problems in entry order, whatever order the rewards finished in.
    settled.forEach((outcome, k) => {
      const entry = this.entries[k]!;
      if (outcome.status === 'rejected') {
        const cause = outcome.reason as unknown;
        const message = cause instanceof Error ? cause.message : String(cause);
        const error = new RewardError(`Reward '${entry.name}' failed: ${message}`, cause instanceof AttuneError ? cause.hint : undefined, entry.name);
        (error as { cause?: unknown }).cause = cause;
        throw error;
      }
      scores[entry.name] = checkScores(entry.name, outcome.value, batch);
    });

    const columns = this.entries.map((e) => scores[e.name]!);
    const counted = Array.from({ length: n }, (_, i) => columns.some((c) => c[i] !== null));
    const combined = Array.from({ length: n }, (_, i) => weightedNanSum(this.entries, columns, i));
    const combinedOrNull = combined.map((r, i) => (counted[i] ? r : null));

    let advantages: number[];
    if (this.aggregation === 'normalize_then_sum') {
      const normalized = columns.map((c) => normalizeWithinGroups(c, batch.groups));
      const sums = Array.from({ length: n }, (_, i) => (counted[i] ? weightedNanSum(this.entries, normalized, i) : null));
      advantages = batchNormalize(sums);
    } else {
      advantages = groupAdvantages(combinedOrNull, batch.groups, this.scaleRewards);
    }

    const metrics: Record<string, number> = {};
    this.entries.forEach((entry, k) => {
      const mean = nanMean(columns[k]!);
      const std = nanStd(columns[k]!);
      if (!Number.isNaN(mean)) metrics[`rewards/${entry.name}/mean`] = mean;
      if (!Number.isNaN(std)) metrics[`rewards/${entry.name}/std`] = std;
    });
    const rewardMean = nanMean(combinedOrNull);
    if (!Number.isNaN(rewardMean)) metrics.reward = rewardMean;
    const scaleStd = this.scalingStd(combinedOrNull, batch.groups);
    const withStd = scaleStd.filter((s, i) => counted[i] && !Number.isNaN(s));
    if (withStd.length) metrics.reward_std = withStd.reduce((a, b) => a + b, 0) / withStd.length;
    const countedCount = counted.filter(Boolean).length;
    if (countedCount) metrics.frac_reward_zero_std = scaleStd.filter((s, i) => counted[i] && !(s > ZERO_STD)).length / countedCount;

    return { scores, combined, counted, advantages, metrics };
  }

  /** Per completion, the std of R that scales its advantage (NaN where fewer than two values). */
  private scalingStd(rewards: readonly (number | null)[], groups: readonly number[]): number[] {
    if (this.aggregation === 'sum_then_normalize' && this.scaleRewards === 'batch') return rewards.map(() => nanStd(rewards));
    const out = rewards.map(() => Number.NaN);
    for (const members of groupIndices(groups)) {
      const std = nanStd(members.map((i) => rewards[i] ?? null));
      for (const i of members) out[i] = std;
    }
    return out;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.entries.map(async (e) => e.reward.dispose?.()));
  }
}

function weightedNanSum(entries: readonly RewardEntry[], columns: readonly (readonly (number | null)[])[], i: number): number {
  let sum = 0;
  entries.forEach((entry, k) => {
    const v = columns[k]![i] ?? null;
    if (v !== null) sum += entry.weight * v;
  });
  return sum;
}

function checkBatch(batch: RewardBatch): void {
  const n = batch.completions.length;
  const parts: [string, number][] = [
    ['prompts', batch.prompts.length],
    ['examples', batch.examples.length],
    ['groups', batch.groups.length],
  ];
  const wrong = parts.filter(([, length]) => length !== n);
  if (wrong.length) {
    throw new RewardError(
      `Reward batch of ${n} completions has ${wrong.map(([name, length]) => `${length} ${name}`).join(', ')}.`,
      'A reward batch holds one prompt, example and group index per completion.',
    );
  }
  const bad = batch.groups.findIndex((g) => !Number.isInteger(g) || g < 0);
  if (bad >= 0) throw new RewardError(`Reward batch: group index of completion ${bad} is ${String(batch.groups[bad])}; group indices are non-negative integers.`, undefined, undefined, bad);
}

function checkScores(name: string, value: unknown, batch: RewardBatch): (number | null)[] {
  const n = batch.completions.length;
  if (!Array.isArray(value)) {
    throw new RewardError(`Reward '${name}' returned ${describeValue(value)} instead of a list of ${n} scores.`, 'score() returns one number (or null) per completion, in the batch order.', name);
  }
  if (value.length !== n) {
    throw new RewardError(`Reward '${name}' returned ${value.length} scores for a batch of ${n} completions (expected ${n}, got ${value.length}).`, 'score() returns one number (or null) per completion, in the batch order.', name);
  }
  const out: (number | null)[] = [];
  for (let i = 0; i < n; i++) {
    const v: unknown = value[i];
    if (v === null) {
      out.push(null);
      continue;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      const what = typeof v === 'number' ? String(v) : describeValue(v);
      throw new RewardError(
        `Reward '${name}' returned ${what} for completion ${i} (prompt: "${promptPreview(batch.prompts[i])}").`,
        'A score must be a finite number; return null where the reward does not apply.',
        name,
        i,
      );
    }
    out.push(v);
  }
  return out;
}
