/**
 * `attune/model`: Hugging Face decoder models — folders (config, safetensors, tokenizer and chat
 * template), the decoder traced onto the engine, LoRA/PEFT adapters, merging, and generation
 * with a KV cache.
 */
export * from './safetensors/index.js';
export * from './folder/index.js';
export * from './tokenizer/index.js';
export * from './decoder/index.js';
export * from './lora/index.js';
export * from './generation/index.js';
export * from './classifier/index.js';
export * from './export/index.js';
export * from './quantize/index.js';
