/**
 * `attune`: the kernel's public API — plugins, items, recipes, runs, events, the six extension
 * points and the types they name, and the leaf utilities every plugin uses (errors, atomic
 * writes, suggestions, package paths, the ignore index). Built-in plugins use exactly this API
 * plus `attune/data`, `attune/model`, `attune/engine` and `attune/train`.
 */
export { definePlugin } from './plugins/plugin.js';
export type { PluginDefinition, PluginContext, ItemRegistrar } from './plugins/plugin.js';
export { defineItem } from './item.js';
export type { ItemDefinition, ItemEnvironment } from './item.js';
export { defineRecipe } from './recipes/recipe.js';
export type { RecipeDefinition, RecipeResult, RecipeStage } from './recipes/recipe.js';
export type { ItemRef, ItemRefBuilder } from './config/item-ref.js';
export type { RunContext, StageHandle } from './runs/run-context.js';
export type { CheckpointInfo, CheckpointStore } from './runs/checkpoint-store.js';
export { readStageRecord, writeStageRecord, stageRecordPath } from './runs/stage-record.js';
export type { StageRecord } from './runs/stage-record.js';
export type { EventBus } from './events/event-bus.js';
export type { AttuneEvents, AttuneEventName, RunStatus } from './events/event-types.js';
export type { ExtensionInstances, ExtensionKind } from './plugins/extension-kinds.js';
export type { CanonicalExample, ExampleKind, ExampleLabels, Message, Preference, Provenance, Role, RowIssue } from './extension-points/example.js';
export type { DatasetSource, DatasetLoadRequest, DatasetLoadResult } from './extension-points/dataset-source.js';
export { trainingKinds } from './extension-points/training-kind.js';
export type { TrainingKind } from './extension-points/training-kind.js';
export type { Objective } from './extension-points/objective.js';
export type { Reward, RewardBatch, RewardCompletion, RewardTrainerState } from './extension-points/reward.js';
export type { Trainer, TrainerResult } from './extension-points/trainer.js';
export type { DecodingPolicy, DecodedReply, HeadReading, ParsedReply, FinishReason, GenerationParams, GenerationRequest, GenerationResult, TextGenerator } from './extension-points/decoding-policy.js';
export type { Evaluator, EvaluationReport, EvaluationSubject, ResponseRow } from './extension-points/evaluator.js';
export { AttuneError, ConfigError, PluginError, RecipeError } from '../base/errors.js';
export { describeZodIssue } from '../base/zod-issue.js';
export { writeFileAtomic, writeFileAtomicSync, writeJsonAtomic, writeDirAtomic } from '../base/atomic-write.js';
export { didYouMean, suggest } from '../base/suggest.js';
export { assetPath, fromPackageRoot, packageRoot } from '../base/paths.js';
export { IGNORE_INDEX } from '../base/ignore-index.js';
export { Xoshiro128, seedWords } from '../base/rng.js';
export type { RngState } from '../base/rng.js';
export { itemRef } from './config/item-ref.js';
