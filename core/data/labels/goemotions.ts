/**
 * GoEmotions: 27 emotions + neutral, in the order of the release's `emotions.txt`
 * (ids in the TSV files and in the Hugging Face `labels` column index this list).
 */
import { readFileSync } from 'node:fs';
import { LabelError } from './vocabulary.js';
import { assetPath } from '../../base/paths.js';

export const goEmotionsTaxonomy = 'goemotions-28';
export const ekmanTaxonomy = 'ekman-7';

export const goEmotionsLabels = Object.freeze([
  'admiration', 'amusement', 'anger', 'annoyance', 'approval', 'caring', 'confusion', 'curiosity', 'desire',
  'disappointment', 'disapproval', 'disgust', 'embarrassment', 'excitement', 'fear', 'gratitude', 'grief', 'joy',
  'love', 'nervousness', 'optimism', 'pride', 'realization', 'relief', 'remorse', 'sadness', 'surprise', 'neutral',
] as const);

/** Ekman's six basic emotions plus neutral, which the GoEmotions mapping leaves unlisted. */
export const ekmanLabels = Object.freeze(['anger', 'disgust', 'fear', 'joy', 'sadness', 'surprise', 'neutral'] as const);

let ekmanByLabel: Map<string, string> | undefined;

/**
 * The Ekman class of a GoEmotions label, from the release's `ekman_mapping.json`
 * (shipped here as goemotions-ekman.json); `neutral` maps to itself.
 */
export function goEmotionToEkman(label: string): string {
  ekmanByLabel ??= loadEkmanMapping();
  const ekman = ekmanByLabel.get(label);
  if (!ekman) throw new LabelError(`GoEmotions label '${label}' has no Ekman class`, `Known labels: ${goEmotionsLabels.join(', ')}.`);
  return ekman;
}

function loadGrouping(fileName: string): Map<string, string> {
  const file = assetPath(import.meta.url, fileName);
  const mapping = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string[]>;
  const byLabel = new Map<string, string>([['neutral', 'neutral']]);
  for (const [group, labels] of Object.entries(mapping)) for (const label of labels) byLabel.set(label, group);
  return byLabel;
}

function loadEkmanMapping(): Map<string, string> {
  return loadGrouping('goemotions-ekman.json');
}

/** The sentiment groups of the GoEmotions paper, plus neutral. */
export const sentimentLabels = Object.freeze(['positive', 'negative', 'ambiguous', 'neutral'] as const);

let sentimentByLabel: Map<string, string> | undefined;

/**
 * The sentiment group of a GoEmotions label, from the release's `sentiment_dict.json` (shipped
 * here as goemotions-sentiment.json); `neutral` maps to itself.
 */
export function goEmotionToSentiment(label: string): string {
  sentimentByLabel ??= loadGrouping('goemotions-sentiment.json');
  const group = sentimentByLabel.get(label);
  if (!group) throw new LabelError(`GoEmotions label '${label}' has no sentiment group`, `Known labels: ${goEmotionsLabels.join(', ')}.`);
  return group;
}
