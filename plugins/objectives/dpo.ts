/**
 * Objective `dpo` (kind `preference`): TRL DPOTrainer's losses on the implicit reward
 * β·h with h = log π_θ(y) − log π_ref(y) summed over the completion, Δ = h_c − h_r:
 *   sigmoid  −(1 − ε)·log σ(βΔ) − ε·log σ(−βΔ)          (ε = labelSmoothing: cDPO; 0 by default)
 *   robust   (−(1 − ε)·log σ(βΔ) + ε·log σ(−βΔ)) / (1 − 2ε)
 *   hinge    max(0, 1 − βΔ)
 *   ipo      (h_c/|y_c| − h_r/|y_r| − 1/(2β))²
 *   sft      the chosen completion's token-mean NLL (with sigmoid: RPO)
 * `lossType` may list several, combined with `lossWeights` (TRL's loss_type list). −log σ(x) is
 * computed as softplus(−x), which stays finite for any margin.
 */
import { z } from 'zod';
import { defineItem } from 'attune';
import { ops } from 'attune/engine';
import type { Tensor } from 'attune/engine';
import type { PreferenceBuildContext, PreferenceObjective, PreferenceTerm } from 'attune/train';

export const dpoLossTypes = ['sigmoid', 'robust', 'hinge', 'ipo', 'sft'] as const;
export type DpoLossType = (typeof dpoLossTypes)[number];

export const dpoOptions = z
  .strictObject({
    weight: z.number().min(0).default(1).describe('weight of this objective'),
    beta: z.number().positive().default(0.1).describe('β: strength of the KL constraint; the implicit reward is β·(log π_θ − log π_ref)'),
    lossType: z
      .union([z.enum(dpoLossTypes), z.array(z.enum(dpoLossTypes)).min(1)])
      .default('sigmoid')
      .describe('sigmoid (DPO) | robust | hinge | ipo | sft, or a list of them, e.g. [sigmoid, sft] for RPO'),
    lossWeights: z.array(z.number().min(0)).optional().describe('one weight per loss in lossType (default: 1 each)'),
    labelSmoothing: z.number().min(0).lt(0.5).default(0).describe('ε: the assumed rate of flipped labels (sigmoid: cDPO; robust)'),
  })
  .refine((o) => o.lossWeights === undefined || o.lossWeights.length === (Array.isArray(o.lossType) ? o.lossType.length : 1), {
    message: 'lossWeights needs one weight per loss in lossType',
    path: ['lossWeights'],
  })
  .refine((o) => new Set(Array.isArray(o.lossType) ? o.lossType : [o.lossType]).size === (Array.isArray(o.lossType) ? o.lossType.length : 1), {
    message: 'lossType lists a loss twice',
    path: ['lossType'],
  });
export type DpoOptions = z.output<typeof dpoOptions>;

/** −log σ(x), finite for any x. */
const negLogSigmoid = (x: Tensor): Tensor => ops.softplus(ops.neg(x));

export function dpoLoss(type: DpoLossType, ctx: PreferenceBuildContext, o: DpoOptions): Tensor {
  const hc = ops.sub(ctx.chosenLogProbs, ctx.referenceChosenLogProbs);
  const hr = ops.sub(ctx.rejectedLogProbs, ctx.referenceRejectedLogProbs);
  const scaled = ops.mul(ops.sub(hc, hr), o.beta);
  const eps = o.labelSmoothing;
  switch (type) {
    case 'sigmoid':
      return eps === 0 ? negLogSigmoid(scaled) : ops.add(ops.mul(negLogSigmoid(scaled), 1 - eps), ops.mul(negLogSigmoid(ops.neg(scaled)), eps));
    case 'robust':
      return ops.mul(ops.sub(ops.mul(negLogSigmoid(scaled), 1 - eps), ops.mul(negLogSigmoid(ops.neg(scaled)), eps)), 1 / (1 - 2 * eps));
    case 'hinge':
      return ops.relu(ops.sub(1, scaled));
    case 'ipo': {
      const gap = ops.sub(ops.div(hc, ops.maximum(ctx.chosenTokens, 1)), ops.div(hr, ops.maximum(ctx.rejectedTokens, 1)));
      const centered = ops.sub(gap, 1 / (2 * o.beta));
      return ops.mul(centered, centered);
    }
    case 'sft':
      return ops.neg(ctx.chosenLogProbs);
  }
}

export const dpoObjective = defineItem({
  kind: 'preference',
  description: 'DPO and relatives on chosen/rejected pairs (TRL semantics: sigmoid, robust, hinge, ipo, sft — a weighted list, e.g. RPO; β, label smoothing)',
  options: dpoOptions,
  create: (o): PreferenceObjective => {
    const types = Array.isArray(o.lossType) ? o.lossType : [o.lossType];
    return {
      kind: 'preference',
      name: 'dpo',
      weight: o.weight,
      beta: o.beta,
      build: (ctx) =>
        types.map((type, i): PreferenceTerm => ({ name: type, weight: o.lossWeights?.[i] ?? 1, perPair: dpoLoss(type, ctx, o), meanOver: type === 'sft' ? 'chosenTokens' : 'pairs' })),
    };
  },
});
