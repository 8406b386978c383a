/**
 * Inference for Hugging Face decoders on the engine: KV-cached generation with left padding and
 * HF sampling semantics, LoRA adapters on or off, whole-sequence scoring and perplexity.
 */
export { InferenceModel } from './inference-model.js';
export type { InferenceModelOptions } from './inference-model.js';
export { generateTokens, GREEDY } from './generate.js';
export type { GenerateOptions, GeneratedRow, FinishReason, TokenEvent } from './generate.js';
export type { SamplingSettings } from './logits-processing.js';
export { applyRepetitionPenalty, filteredCandidates, chooseToken } from './logits-processing.js';
export { ModelTextGenerator, resolveSampling } from './text-generator.js';
export type { ModelTextGeneratorOptions, SamplingRequest } from './text-generator.js';
export { fullLogits, tokenLogProbs, perplexity } from './score.js';
export type { PerplexityResult, ScoreOptions } from './score.js';
export { readPeftAdapter, AdapterError, LORA_MODULES, pairKey, projectionShape } from './peft-adapter.js';
export type { LoraWeights, LoraPair, LoraModule } from './peft-adapter.js';
export { buildDecoderGraph } from './decoder-graph.js';
export type { DecoderGraphKind, LoraLayout } from './decoder-graph.js';
export { leftPad } from './padding.js';
export type { PaddedBatch } from './padding.js';
