/**
 * Extension point: Reward — scores completions for GRPO-style training and for evaluation.
 * The batch follows TRL's reward-function contract: prompts, completions, every column of the
 * source example, plus the group each completion belongs to and where training is.
 *
 * Lifecycle: `create(options)` once (load classifiers, cross-encoders) → `score(batch)` per
 * rollout batch → `dispose()` at the end of the run. The reward runner (`attune/train`)
 * combines several rewards with their weights.
 */
import type { CanonicalExample, Message } from './example.js';

export interface RewardCompletion {
  text: string;
  tokenIds: readonly number[];
  /**
   * The reply inside `text` as the decoding policy that produced it extracts it (an XML reasoning
   * policy: the `<answer>` body); `null` when that policy expected one and found none; absent when
   * the policy has no such structure. Content rewards score this, never a regex of their own.
   */
  answer?: string | null;
}

export interface RewardTrainerState {
  stage: string;
  /** Optimizer steps completed before this batch. */
  step: number;
  totalSteps: number;
}

export interface RewardBatch {
  /** The conversation each completion answers (a prompt repeats once per completion of its group). */
  prompts: readonly Message[][];
  completions: readonly RewardCompletion[];
  /** The source example of each completion: labels, metadata, reference replies. */
  examples: readonly CanonicalExample[];
  /** Which prompt group each completion belongs to (0-based; equal indices share a prompt). */
  groups: readonly number[];
  /** Absent outside training (evaluation). */
  state?: RewardTrainerState;
}

export interface Reward {
  /**
   * One score per completion, higher is better; `null` where the reward does not apply (it
   * is then left out of that completion's sum and of this reward's statistics). NaN is an error.
   */
  score(batch: RewardBatch): Promise<(number | null)[]> | (number | null)[];
  dispose?(): Promise<void> | void;
}
