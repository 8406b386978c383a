/** Label vocabularies and mappings shared by sources, objectives and evaluators. */
export { LabelVocabulary, LabelError, vocabularyFromTrain, type VocabularyFromTrainOptions } from './vocabulary.js';
export { goEmotionsTaxonomy, goEmotionsLabels, ekmanTaxonomy, ekmanLabels, goEmotionToEkman, sentimentLabels, goEmotionToSentiment } from './goemotions.js';
export { ed32Taxonomy, ed32Labels, isEd32Label } from './ed32.js';
export { esconvStrategyTaxonomy, esconvStrategies, normalizeEsconvStrategy, esconvStrategySpellings } from './esconv-strategies.js';
export { edToGoEmotions, edToGoEmotionsTable, type EdToGoEmotionsEntry, type MappingFit } from './ed-to-goemotions.js';
export { vocabularyFromSource, canonicalOrders, type LabelField } from './from-source.js';
