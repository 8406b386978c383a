/** Rollout training (GRPO and relatives): the objective contract, the traced graph, the loss normalizations. */
export { rolloutLossTypes } from './rollout-objective.js';
export type { RolloutBuildContext, RolloutLossType, RolloutObjective, RolloutTerm } from './rollout-objective.js';
export { buildRolloutGraph, rolloutFeeds, rolloutOutputs } from './rollout-graph.js';
export type { RolloutGraph, RolloutGraphOptions } from './rollout-graph.js';
export { rolloutNormalizer, rolloutRowWeights } from './normalization.js';
export type { MicroBatchCounts } from './normalization.js';
export { completionLogProbs, rolloutMicroBatch, rolloutRow } from './rollout-rows.js';
export type { RolloutMicroBatch, RolloutRow } from './rollout-rows.js';
export { RolloutModel } from './rollout-model.js';
export type { RolloutModelOptions, RolloutStepResult } from './rollout-model.js';
export { ServerRollouts } from './server-rollouts.js';
export type { ServerCompletion, ServerRolloutOptions, ServerRolloutRequest } from './server-rollouts.js';
