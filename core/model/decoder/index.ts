/**
 * Hugging Face decoders (Llama / Qwen2 / Mistral) traced onto the engine for training: frozen
 * file-backed weights, LoRA or full fine-tuning, and on request logits, hidden states, LM loss,
 * per-token log-probs and the adapter-off reference forward.
 */
export { DecoderTrace, DECODER_INPUTS } from './decoder-trace.js';
export type { DecoderModel, DecoderTraceOptions, DropoutInput, Trainable } from './decoder-trace.js';
export { buildDecoderProgram, DECODER_OUTPUTS } from './decoder-program.js';
export type { DecoderOutput, DecoderProgram, DecoderProgramRequest } from './decoder-program.js';
export { frozenDecoderWeights, frozenTensor, trainableDecoderWeights } from './decoder-weights.js';
export type { ComputeDType, DecoderWeights, LayerWeights, ProjectionWeights } from './decoder-weights.js';
export { positionIdsFromMask, rotaryTables } from './positions.js';
export { decoderLayer, decoderStack, mergeHeads, project, splitHeads } from './decoder-layers.js';
export type { AttendFn, LayerContext } from './decoder-layers.js';
export { declareLoraFactors, NO_LORA } from './lora-adapters.js';
export type { DeclaredLora, LoraLookup } from './lora-adapters.js';
export { checkTokenIds, padBatch } from './batch.js';
export type { DecoderBatch, PadOptions, RowNaming, TokenRow } from './batch.js';
export { loraDropoutFeeds } from './dropout.js';
export { readFullParameters } from './full-parameters.js';
