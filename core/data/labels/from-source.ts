/**
 * Vocabularies from a DatasetSource's train split: the emotion labels (taxonomy named by
 * the examples themselves) or ESConv strategies. Only `train` is ever read.
 */
import { knownLabels } from '../known-labels.js';
import type { CanonicalExample } from '../example.js';
import type { DatasetSource } from '../../kernel/extension-points/dataset-source.js';
import { ed32Labels, ed32Taxonomy } from './ed32.js';
import { esconvStrategies, esconvStrategyTaxonomy } from './esconv-strategies.js';
import { ekmanLabels, ekmanTaxonomy, goEmotionsLabels, goEmotionsTaxonomy } from './goemotions.js';
import { LabelError, vocabularyFromTrain, type LabelVocabulary, type VocabularyFromTrainOptions } from './vocabulary.js';

/** Published label orders of the taxonomies Attune's built-in sources emit. */
export const canonicalOrders: Readonly<Record<string, readonly string[]>> = {
  [goEmotionsTaxonomy]: goEmotionsLabels,
  [ekmanTaxonomy]: ekmanLabels,
  [ed32Taxonomy]: ed32Labels,
  [esconvStrategyTaxonomy]: esconvStrategies,
};

export type LabelField = 'emotion' | 'strategy';

export async function vocabularyFromSource(
  source: DatasetSource,
  field: LabelField,
  coverage: VocabularyFromTrainOptions['coverage'] = 'observed',
): Promise<LabelVocabulary> {
  const { examples } = await source.load({ split: 'train' });
  const taxonomy = field === 'strategy' ? esconvStrategyTaxonomy : singleTaxonomy(examples);
  const labels = examples.flatMap((example) => {
    const label = field === 'strategy' ? knownLabels(example).strategy : knownLabels(example).emotion?.label;
    return label === undefined ? [] : [label];
  });
  if (labels.length === 0) throw new LabelError(`The train split has no '${field}' labels`, 'Pick a source whose examples carry this label.');
  const canonical = canonicalOrders[taxonomy];
  return vocabularyFromTrain(taxonomy, labels, canonical ? { canonical, coverage } : { coverage });
}

function singleTaxonomy(examples: readonly CanonicalExample[]): string {
  const taxonomies = new Set(examples.flatMap((e) => { const emotion = knownLabels(e).emotion; return emotion ? [emotion.taxonomy] : []; }));
  if (taxonomies.size > 1) throw new LabelError(`The train split mixes emotion taxonomies: ${[...taxonomies].join(', ')}`);
  return [...taxonomies][0] ?? 'unknown';
}
