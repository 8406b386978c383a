/**
 * The objective contract of `rollout` trainers (GRPO and relatives): a term built once into the
 * trainer's graph from per-token log-probs of sampled completions. The trainer owns the decoder
 * trace, the completion mask and the step normalization; a term returns the weighted per-token
 * loss it wants summed (Σ over masked tokens, then × the trainer's normalizer).
 */
import type { Graph, Tensor } from '../../engine/index.js';
import type { Objective } from '../../kernel/extension-points/objective.js';

export interface RolloutBuildContext {
  readonly graph: Graph;
  /** log π_θ(token) [batch, seq] at the sampling temperature, 0 where `mask` is 0. */
  readonly logProbs: Tensor;
  /** log π_old(token) [batch, seq]: fed (several iterations per generation) or ℓ with its gradient stopped. */
  readonly oldLogProbs: Tensor;
  /** log π_ref(token) [batch, seq] with the adapter off; traced only when a term calls it. */
  referenceLogProbs(): Tensor;
  /** 1 on completion tokens that count, 0 elsewhere [batch, seq]. */
  readonly mask: Tensor;
  /** One advantage per completion [batch]. */
  readonly advantages: Tensor;
}

export interface RolloutTerm {
  /** Per-token loss [batch, seq]; the trainer masks, weights and normalizes it. */
  readonly perToken: Tensor;
}

export interface RolloutObjective extends Objective<RolloutBuildContext, RolloutTerm> {
  readonly kind: 'rollout';
  /** Whether the term reads π_ref (β ≠ 0): the trainer then traces the adapter-off forward. */
  readonly usesReference: boolean;
  /** How the trainer normalizes Σ m·L (TRL's loss types; see rolloutNormalizer). */
  readonly lossType: RolloutLossType;
  /** The ratio's clip range, when the term clips: the trainer's clip_ratio metrics count against it. */
  readonly clip?: { readonly low: number; readonly high: number };
}

export const rolloutLossTypes = ['grpo', 'bnpo', 'dr_grpo', 'dapo'] as const;
export type RolloutLossType = (typeof rolloutLossTypes)[number];
