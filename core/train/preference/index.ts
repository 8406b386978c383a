/** Preference training (DPO and relatives): the objective contract, the traced graphs, pairs, the reference log-probs, the metrics. */
export type { PreferenceBuildContext, PreferenceObjective, PreferenceTerm } from './preference-objective.js';
export { buildPreferenceGraph, buildSequenceLogProbsGraph, preferenceFeeds, preferenceOutputs } from './preference-graph.js';
export type { PreferenceGraph, PreferenceGraphOptions, TracedTerm } from './preference-graph.js';
export { chunkPairs, preferencePairBatch, tokenizePairs } from './preference-pairs.js';
export type { PairBatch, PairBatchShape, PreferencePair, TokenizedPairs } from './preference-pairs.js';
export { PreferenceModel } from './preference-model.js';
export type { AdapterValues, PreferenceNorms, PreferenceRunResult, ReferenceLogProbs } from './preference-model.js';
export { cachedReferenceLogProbs, pairsDigest, referenceFor, scorePairs } from './reference-log-probs.js';
export type { PairLogProbs } from './reference-log-probs.js';
export { PairStats } from './preference-metrics.js';
