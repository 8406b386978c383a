export { loadTokenizer } from './load-tokenizer.js';
export { ModelTokenizer } from './model-tokenizer.js';
export type { SpecialToken, RenderOptions } from './model-tokenizer.js';
export { TokenizerError } from './errors.js';
