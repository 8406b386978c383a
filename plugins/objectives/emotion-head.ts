/**
 * Objective `emotion-head`: classifies the emotion of the user's latest turn from the hidden
 * state of the last prompt token, over GoEmotions' 28 classes (ED-32 conversations mapped through
 * the shipped ED→GoEmotions table) or ED's 32 (GoEmotions examples then carry no label).
 */
import { z } from 'zod';
import { defineItem } from 'attune';
import { ed32Labels, ed32Taxonomy, edToGoEmotions, goEmotionsLabels, goEmotionsTaxonomy, knownLabels } from 'attune/data';
import type { CanonicalExample } from 'attune/data';
import type { LabelField, SftObjective } from 'attune/train';
import { classificationHeadTerm } from './classification-head.js';

function emotionField(taxonomy: 'goemotions-28' | 'ed-32', worstFit: 'exact' | 'close' | 'loose'): LabelField {
  const classes: readonly string[] = taxonomy === 'ed-32' ? ed32Labels : goEmotionsLabels;
  const ids = new Map(classes.map((c, i) => [c, i]));
  return {
    name: 'emotion',
    classes,
    read: (example: CanonicalExample) => {
      const e = knownLabels(example).emotion;
      if (!e) return undefined;
      if (e.taxonomy === taxonomy) return ids.get(e.label);
      if (taxonomy === goEmotionsTaxonomy && e.taxonomy === ed32Taxonomy) {
        const mapped = edToGoEmotions(e.label, worstFit);
        return mapped === undefined ? undefined : ids.get(mapped);
      }
      return undefined;
    },
  };
}

export const emotionHeadObjective = defineItem({
  kind: 'sft',
  description: 'emotion of the latest user turn from the last prompt token (GoEmotions 28 or ED 32)',
  options: z.strictObject({
    weight: z.number().min(0).default(0.2).describe('λ_emo: weight of this term in the total loss (0: no head is built)'),
    taxonomy: z.enum([goEmotionsTaxonomy, ed32Taxonomy] as ['goemotions-28', 'ed-32']).default('goemotions-28').describe('label set of the head'),
    edMapping: z.enum(['exact', 'close', 'loose']).default('loose').describe('with goemotions-28: worst ED→GoEmotions mapping fit still used as a label'),
  }),
  create: (options): SftObjective => {
    const field = emotionField(options.taxonomy, options.edMapping);
    return {
      kind: 'sft',
      name: 'emotion',
      weight: options.weight,
      countUnit: { label: 'emotion' },
      labelFields: [field],
      build: (ctx) => classificationHeadTerm(ctx, 'emotion', field.classes.length),
    };
  },
});
