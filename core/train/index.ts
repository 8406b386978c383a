/**
 * `attune/train`: what trainers and objectives are written against — the objective context and
 * term contract, the shared stage loop (optimizer, schedule, accumulation, clipping, resume,
 * checkpoints, evaluation cadence, interruption), checkpoints, the reward runner, metrics and
 * loss-curve reports.
 */
export * from './objective.js';
export * from './init.js';
export * from './metrics.js';
export * from './collate.js';
export * from './checkpoint.js';
export * from './sampler.js';
export * from './sft-data.js';
export * from './sft-model.js';
export * from './evaluate.js';
export * from './accumulate-step.js';
export * from './tensor-files.js';
export { writeLossCurves } from '../report/loss-curves.js';
export * from './stage-options.js';
export * from './stage-loop.js';
export * from './rewards/index.js';
export * from './reward-model/index.js';
export * from './rollout/index.js';
export * from './preference/index.js';
export * from './stage-pipeline.js';
export * from './recipe-inputs.js';
export * from './evaluation.js';
export { writeRunReport } from '../report/run-report.js';
export { checkTrainingBlock } from './config-checks.js';
export { baseModelOptions, gradientCheckpointingOption, openBaseModel, quantizationOption, type BaseModel, type BaseModelOptions, type QuantizationOption } from './base-model.js';
