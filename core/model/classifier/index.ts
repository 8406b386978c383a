/** Sequence classifiers (BERT / RoBERTa / XLM-R encoders, decoder `score` heads) on the engine. */
export { parseClassifierConfig } from './classifier-config.js';
export type { ClassifierConfig, EncoderConfig, EncoderFamily, ProblemType } from './classifier-config.js';
export { encodeClassifierInput, framingTokens, truncateLongestFirst } from './classifier-encode.js';
export type { ClassifierInput, EncodedInput, FramingTokens } from './classifier-encode.js';
export { classifierBatch, paddingId } from './classifier-batch.js';
export type { ClassifierBatch, PaddingSide } from './classifier-batch.js';
export { buildClassifierProgram, encoderLogits, CLASSIFIER_INPUTS, CLASSIFIER_OUTPUTS } from './classifier-graph.js';
export type { ClassifierModel } from './classifier-graph.js';
export { encoderTensorNames, frozenEncoderWeights } from './encoder-weights.js';
export type { EncoderWeights } from './encoder-weights.js';
export { openClassifierFolder } from './open-classifier-folder.js';
export type { ClassifierFolder, OpenClassifierOptions } from './open-classifier-folder.js';
export { mergeClassifierAdapter } from './classifier-adapter.js';
export type { MergedClassifierWeights } from './classifier-adapter.js';
export { SequenceClassifier, activate } from './sequence-classifier.js';
export type { Classification, SequenceClassifierOptions } from './sequence-classifier.js';
export { readClassifierInputs } from './input-file.js';
