/**
 * Heavy transformer primitives with hand-written backward rules (custom VJPs) that encode the
 * formulations ENGINE-NOTES.md measured as fast on onnxruntime's CPU provider. Weights use the
 * Hugging Face [out, in] layout; frozen weights (initializers) get no gradient work.
 */
export { linear } from './linear.js';
export { linearGroup } from './linear-group.js';
export type { GroupedProjection } from './linear-group.js';
export type { LinearOptions, LoraAdapter } from './linear.js';
export { quantizedLinear } from './quantized-linear.js';
export type { QuantizedWeight } from './quantized-linear.js';
export { rmsNorm } from './rms-norm.js';
export { rotaryEmbedding, rotaryEmbeddingFromHalves } from './rotary.js';
export { attention } from './attention.js';
export type { AttentionOptions } from './attention.js';
export { swiglu } from './swiglu.js';
export { lmHeadCrossEntropy } from './cross-entropy.js';
export type { LmHeadCrossEntropyOptions, LmHeadCrossEntropyResult } from './cross-entropy.js';
export { tokenLogProbs, tokenLogProbsAndEntropy } from './token-log-probs.js';
export { vocabKl } from './vocab-kl.js';
