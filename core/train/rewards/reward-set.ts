/**
 * A set of rewards as configs name it — TRL's `reward_funcs` + `reward_weights`, with the
 * runner's aggregation and advantage scaling — and the runner built from it. Shared by
 * `attune score` and the trainers that score rollouts, so a reward checked with `score` is
 * combined exactly as training will combine it.
 */
import { z } from 'zod';
import { itemRef } from '../../kernel/config/item-ref.js';
import type { ItemRef } from '../../kernel/config/item-ref.js';
import type { Reward } from '../../kernel/extension-points/reward.js';
import { RewardRunner } from './reward-runner.js';

export const rewardSetOptions = z
  .strictObject({
    rewards: z.array(itemRef('rewards', 'a reward: plugin/item or { use, options }')).min(1).describe('the rewards each completion is scored by'),
    rewardWeights: z.array(z.number().refine(Number.isFinite, 'a finite number')).optional().describe('one weight per reward, in order (default: 1 each)'),
    aggregation: z.enum(['sum_then_normalize', 'normalize_then_sum']).default('sum_then_normalize').describe('sum weighted rewards then normalize (TRL), or normalize each within its group first (GDPO)'),
    scaleRewards: z.enum(['group', 'batch', 'none']).default('group').describe("advantage scaling for sum_then_normalize: the group's std (GRPO), the batch's, or none (Dr. GRPO)"),
  })
  .refine((o) => o.rewardWeights === undefined || o.rewardWeights.length === o.rewards.length, { message: 'rewardWeights needs one weight per reward', path: ['rewardWeights'] });

export type RewardSetOptions = z.output<typeof rewardSetOptions>;

/** Metric names: the item name (`rewards/length` → `length`), numbered when one item appears twice. */
export function rewardNames(refs: readonly ItemRef<'rewards'>[]): string[] {
  const tails = refs.map((r) => r.use.split('/').pop() ?? r.use);
  return tails.map((t, i) => (tails.filter((x) => x === t).length > 1 ? `${t}_${tails.slice(0, i + 1).filter((x) => x === t).length}` : t));
}

export async function createRewardRunner(options: RewardSetOptions, create: (ref: ItemRef<'rewards'>) => Promise<Reward>): Promise<RewardRunner> {
  const names = rewardNames(options.rewards);
  const built: Reward[] = [];
  try {
    for (const ref of options.rewards) built.push(await create(ref));
  } catch (error) {
    await Promise.all(built.map((r) => r.dispose?.()));
    throw error;
  }
  return new RewardRunner(
    built.map((reward, i) => ({ name: names[i]!, weight: options.rewardWeights?.[i] ?? 1, reward })),
    { aggregation: options.aggregation, scaleRewards: options.scaleRewards },
  );
}
