/**
 * Objective `strategy-head`: predicts the ESConv support strategy of the next supporter turn
 * from the hidden state of the last prompt token (8 strategies).
 */
import { z } from 'zod';
import { defineItem } from 'attune';
import { esconvStrategies, knownLabels, normalizeEsconvStrategy } from 'attune/data';
import type { LabelField, SftObjective } from 'attune/train';
import { classificationHeadTerm } from './classification-head.js';

const ids = new Map<string, number>(esconvStrategies.map((s, i) => [s, i]));
const strategyField: LabelField = {
  name: 'strategy',
  classes: esconvStrategies,
  read: (example) => {
    const raw = knownLabels(example).strategy;
    if (raw === undefined) return undefined;
    const normalized = normalizeEsconvStrategy(raw);
    return normalized === undefined ? undefined : ids.get(normalized);
  },
};

export const strategyHeadObjective = defineItem({
  kind: 'sft',
  description: 'ESConv strategy of the next supporter turn from the last prompt token (8 classes)',
  options: z.strictObject({
    weight: z.number().min(0).default(0.2).describe('λ_strat: weight of this term in the total loss (0: no head is built)'),
  }),
  create: (options): SftObjective => ({
    kind: 'sft',
    name: 'strategy',
    weight: options.weight,
    countUnit: { label: 'strategy' },
    labelFields: [strategyField],
    build: (ctx) => classificationHeadTerm(ctx, 'strategy', strategyField.classes.length),
  }),
});
