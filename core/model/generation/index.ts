/**
 * Inference for Hugging Face decoders on the engine: KV-cached generation with left padding and
 * HF sampling semantics, LoRA adapters on or off, whole-sequence scoring and perplexity. Model
 * code (weights, layers, whole-sequence programs) is core/model/decoder's; adapters are
 * core/model/lora's LoraState, read with loadLoraAdapter.
 */
export { InferenceModel } from './inference-model.js';
export type { InferenceGraphKind, InferenceModelOptions } from './inference-model.js';
export { generateTokens, GREEDY } from './generate.js';
export type { GenerateOptions, GeneratedRow, FinishReason, RowOptions, TokenEvent } from './generate.js';
export type { ChosenToken, SamplingSettings } from './logits-processing.js';
export { applyRepetitionPenalty, filteredCandidates, pickToken, logSoftmaxAt } from './logits-processing.js';
export { ModelTextGenerator, resolveSampling } from './text-generator.js';
export type { ModelTextGeneratorOptions, SamplingRequest } from './text-generator.js';
export { fullLogits, tokenLogProbs, perplexity } from './score.js';
export type { PerplexityResult, ScoreOptions } from './score.js';
export { buildCachedDecoderGraph, CACHED_INPUTS, CACHED_OUTPUTS } from './cached-graph.js';
export { padIdOf } from './padding.js';
export { headsOfAdapter, predictHeads, HEADS_MANIFEST } from './adapter-heads.js';
export type { ClassificationHead, HeadPrediction } from './adapter-heads.js';
export { findRunAdapter } from './run-adapter.js';
export type { RunAdapter } from './run-adapter.js';
