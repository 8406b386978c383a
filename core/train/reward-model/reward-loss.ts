/**
 * Reward-model losses on the score head's outputs, per row (pointwise) or per pair, before the
 * step's normalization:
 *   mse            (s − y)²                              regression (HF num_labels 1)
 *   bce            softplus(s) − s·y                     binary relevance, y ∈ [0, 1] (cross-encoders)
 *   ce             −log softmax(s)[y]                    classification over num_labels
 *   bradley-terry  −log σ(s⁺ − s⁻) + c·(s⁺ + s⁻)²        pairs (TRL RewardTrainer; c = center_rewards_coefficient)
 */
export const rewardLosses = ['mse', 'bce', 'ce', 'bradley-terry'] as const;
export type RewardLoss = (typeof rewardLosses)[number];

export type RewardTaskKind = 'regression' | 'binary' | 'classification' | 'preference';

/** The loss a task trains with unless the config names another that fits it. */
export const defaultLoss: Record<RewardTaskKind, RewardLoss> = {
  regression: 'mse',
  binary: 'bce',
  classification: 'ce',
  preference: 'bradley-terry',
};

/** Losses that make sense for each task (a regression target in [0, 1] may also use bce). */
export const lossesFor: Record<RewardTaskKind, readonly RewardLoss[]> = {
  regression: ['mse', 'bce'],
  binary: ['bce', 'mse'],
  classification: ['ce'],
  preference: ['bradley-terry'],
};
