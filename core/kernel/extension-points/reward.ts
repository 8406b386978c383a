/**
 * Extension point: Reward — scores completions for GRPO-style training and for evaluation.
 *
 * Lifecycle: `create(options)` once (load classifiers, cross-encoders) → `score(batch)` per
 * rollout batch → `dispose()` at the end of the run.
 */
import type { Message } from '../../data/example.js';

export interface RewardBatch {
  /** The conversation each completion answers. */
  prompts: Message[][];
  /** Generated assistant replies, one per prompt (a prompt may repeat for a group). */
  completions: string[];
  /** Reference replies, when the data has them (semantic similarity needs them). */
  references?: (string | undefined)[];
}

export interface Reward {
  /** One score per completion; higher is better. NaN is not allowed. */
  score(batch: RewardBatch): Promise<number[]>;
  dispose?(): Promise<void>;
}
