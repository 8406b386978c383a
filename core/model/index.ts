/** Hugging Face model folders: safetensors weights, config, tokenizer and chat template. */
export * from './safetensors/index.js';
export * from './folder/index.js';
export * from './tokenizer/index.js';
