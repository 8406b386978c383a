/**
 * Objective `safety-kl`: KL(reference ‖ policy) over the full vocabulary at each assistant token,
 * the reference being the same weights with the adapter off, traced in the same graph. It keeps
 * the fine-tuned distribution near the base model's (and its safety behaviour) while it learns.
 */
import { z } from 'zod';
import { defineItem } from 'attune';
import { ops, vocabKl } from 'attune/engine';
import type { SftObjective } from 'attune/train';

export const safetyKlObjective = defineItem({
  kind: 'sft',
  description: 'KL from the base model (adapter off) to the policy over assistant tokens, full vocabulary',
  options: z.strictObject({
    weight: z.number().min(0).default(0.1).describe('λ_safe: weight of this term in the total loss (0: the reference forward is not built)'),
  }),
  create: (options): SftObjective => ({
    kind: 'sft',
    name: 'safety_kl',
    weight: options.weight,
    countUnit: 'targetTokens',
    build: (ctx) => {
      const sum = vocabKl(ctx.hidden, ctx.referenceHidden(), ctx.lmHead, ctx.targetMask);
      const count = ops.sum(ctx.targetMask);
      return { loss: ops.div(sum, ops.maximum(count, 1)), sum, count };
    },
  }),
});
