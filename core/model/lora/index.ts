/**
 * LoRA for Hugging Face decoders: configuration (PEFT semantics, rsLoRA), seeded PEFT-style
 * initialization, PEFT adapter folders (save, validated load), and merging into a base model.
 */
export { LoraError } from './errors.js';
export { LORA_TARGET_MODULES, normalizeTargetModules, modulePath, peftKey, projectionShape } from './targets.js';
export type { LoraTargetModule } from './targets.js';
export { loraConfig, loraConfigInputSchema, loraScale } from './lora-config.js';
export type { LoraConfig, LoraConfigInput } from './lora-config.js';
export { LoraState, checkLoraStateFits, loraFactorShapes } from './lora-state.js';
export type { LoraPairRef } from './lora-state.js';
export { initLora } from './lora-init.js';
export { saveLoraAdapter, adapterConfigJson, ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, EXTRA_TENSORS_FILE } from './peft-save.js';
export type { SaveAdapterOptions } from './peft-save.js';
export { loadLoraAdapter, parseAdapterConfig } from './peft-load.js';
export type { LoadedAdapter } from './peft-load.js';
export { writeMergedModel, mergeProjection, copyModelFiles } from './merge.js';
export type { MergeOptions } from './merge.js';
export { adapterFolder, mergeAdapter, mergeDtypes, type MergeDtype, type MergeRequest, type MergeResult } from './merge-adapter.js';
