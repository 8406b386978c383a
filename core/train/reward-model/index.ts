/** Reward models on the engine: decoder + LoRA + score head, their losses, batches and held-out metrics. */
export { buildRewardGraph, rewardFeeds, rewardOutputs, SCORE_WEIGHT } from './reward-graph.js';
export type { RewardGraph, RewardGraphOptions } from './reward-graph.js';
export { defaultLoss, lossesFor, rewardLosses } from './reward-loss.js';
export type { RewardLoss, RewardTaskKind } from './reward-loss.js';
export { RewardModel } from './reward-model.js';
export type { RewardModelOptions } from './reward-model.js';
export { encodeInput, encodePair, encodePoint, pairBatch, pointBatch } from './reward-batches.js';
export type { EncodedPair, EncodedPoint, RewardBatch, RewardEncoder } from './reward-batches.js';
export { binaryMetrics, classMetrics, heldOutMetrics, pairMetrics, pearson, ranks, regressionMetrics, rocAuc, spearman } from './reward-metrics.js';
