/**
 * A GoEmotions row as a `classify` example: the text is the only message; labels and the
 * comment id stay out of it.
 */
import { ekmanTaxonomy, goEmotionsTaxonomy, goEmotionToEkman } from 'attune/data';
import type { CanonicalExample } from 'attune/data';
import type { GoEmotionsRow } from './rows.js';

export type GoEmotionsTaxonomyChoice = 'goemotions-28' | 'ekman-7';

export function rowLabels(row: GoEmotionsRow, taxonomy: GoEmotionsTaxonomyChoice): string[] {
  if (taxonomy === goEmotionsTaxonomy) return row.labels;
  return [...new Set(row.labels.map(goEmotionToEkman))];
}

export function toExample(row: GoEmotionsRow, labels: string[], split: string, taxonomy: GoEmotionsTaxonomyChoice): CanonicalExample {
  return {
    id: `goemotions:${split}:${row.commentId}:0`,
    kind: 'classify',
    messages: [{ role: 'user', content: row.text }],
    labels: { emotion: { taxonomy: taxonomy === 'ekman-7' ? ekmanTaxonomy : goEmotionsTaxonomy, label: labels[0]!, all: labels } },
    metadata: { commentId: row.commentId, labelCount: labels.length },
    provenance: { source: 'goemotions', split, file: row.file, row: row.row, dialogId: row.commentId, turn: 0 },
  };
}
