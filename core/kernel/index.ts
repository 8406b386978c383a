/**
 * The public plugin API: everything a plugin or recipe (built-in or third-party) needs.
 */
export { definePlugin } from './plugins/plugin.js';
export type { PluginDefinition, PluginContext, ItemRegistrar } from './plugins/plugin.js';
export { defineItem } from './item.js';
export type { ItemDefinition, ItemEnvironment } from './item.js';
export { defineRecipe } from './recipes/recipe.js';
export type { RecipeDefinition, RecipeResult, RecipeStage } from './recipes/recipe.js';
export type { ItemRef, ItemRefBuilder } from './config/item-ref.js';
export type { RunContext } from './runs/run-context.js';
export type { CheckpointInfo, CheckpointStore } from './runs/checkpoint-store.js';
export type { EventBus } from './events/event-bus.js';
export type { AttuneEvents, AttuneEventName, RunStatus } from './events/event-types.js';
export type { ExtensionInstances, ExtensionKind } from './plugins/extension-kinds.js';
export type { DatasetSource, DatasetLoadRequest, DatasetLoadResult } from './extension-points/dataset-source.js';
export type { Objective, ObjectiveNeeds } from './extension-points/objective.js';
export type { Reward, RewardBatch } from './extension-points/reward.js';
export type { Trainer, TrainerResult } from './extension-points/trainer.js';
export type { DecodingPolicy, DecodedReply, GenerationParams, TextGenerator } from './extension-points/decoding-policy.js';
export type { Evaluator, EvaluationReport, EvaluationSubject } from './extension-points/evaluator.js';
export { AttuneError, ConfigError, PluginError, RecipeError } from './errors.js';
export { writeFileAtomic, writeJsonAtomic, writeDirAtomic } from './runs/atomic-write.js';
