/** Objective `lm`: mean next-token NLL over assistant-reply tokens (prompt and padding ignored). */
import { z } from 'zod';
import { defineItem } from 'attune';
import { lmHeadCrossEntropy, ops } from 'attune/engine';
import type { SftObjective } from 'attune/train';

export const lmObjective = defineItem({
  kind: 'sft',
  description: 'NLL of the assistant reply tokens (causal LM loss, mean over scored tokens)',
  options: z.strictObject({
    weight: z.number().min(0).default(1).describe('λ_lm: weight of this term in the total loss (0: not built)'),
    labelSmoothing: z.number().min(0).lt(1).default(0).describe('label smoothing ε of the token cross-entropy'),
  }),
  create: (options): SftObjective => ({
    kind: 'sft',
    name: 'lm',
    weight: options.weight,
    countUnit: 'targetTokens',
    build: (ctx) => {
      const { lossSum, count } = lmHeadCrossEntropy(ctx.hidden, ctx.lmHead, ctx.targets, { labelSmoothing: options.labelSmoothing });
      return { loss: ops.div(lossSum, ops.maximum(count, 1)), sum: lossSum, count };
    },
  }),
});
