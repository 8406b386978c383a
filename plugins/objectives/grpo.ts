/**
 * Objective `grpo` (kind `rollout`): TRL's GRPO policy loss per completion token,
 *   L = −min(ρ·A, clip(ρ, 1 − ε_low, 1 + ε_high)·A) + β·KL_k3(π_θ ‖ π_ref)
 * with ρ = exp(ℓ − ℓ_old) per token, or exp(the completion's mean log-ratio) at sequence level
 * (GSPO); with δ set the unclipped ρ is first capped at δ. KL is the k3 estimator
 * exp(ℓ_ref − ℓ) − (ℓ_ref − ℓ) − 1 and is not traced at all when β = 0. The loss type decides
 * how the trainer normalizes Σ m·L (grpo, bnpo, dr_grpo, dapo).
 */
import { z } from 'zod';
import { defineItem } from 'attune';
import { ops } from 'attune/engine';
import type { Tensor } from 'attune/engine';
import { rolloutLossTypes } from 'attune/train';
import type { RolloutBuildContext, RolloutObjective } from 'attune/train';

export const grpoOptions = z
  .strictObject({
    weight: z.number().min(0).default(1).describe('weight of this term'),
    lossType: z.enum(rolloutLossTypes).default('dapo').describe('normalization of Σ m·L: grpo (per sequence), bnpo (micro-batch tokens), dr_grpo (B × max length), dapo (tokens of the whole generation batch; TRL default)'),
    epsilon: z.number().positive().lt(1).default(0.2).describe('ε_low: lower clip of the ratio'),
    epsilonHigh: z.number().positive().optional().describe('ε_high: upper clip (default ε_low; DAPO suggests 0.28)'),
    delta: z.number().gt(1).optional().describe('cap on the unclipped ratio (two-sided GRPO); unset: no cap'),
    beta: z.number().min(0).default(0).describe('KL coefficient to the reference (adapter off); 0 builds no reference forward'),
    importanceSamplingLevel: z.enum(['token', 'sequence']).default('token').describe('ratio per token, or one per completion from its mean log-ratio (GSPO)'),
  })
  .refine((o) => o.epsilonHigh === undefined || o.epsilonHigh >= 0, { message: 'epsilonHigh must be ≥ 0', path: ['epsilonHigh'] });
export type GrpoOptions = z.output<typeof grpoOptions>;

export function grpoPerToken(ctx: RolloutBuildContext, o: GrpoOptions): Tensor {
  const logRatio = ops.mul(ops.sub(ctx.logProbs, ctx.oldLogProbs), ctx.mask);
  const logWeight = o.importanceSamplingLevel === 'sequence' ? ops.div(ops.sum(logRatio, 1, true), ops.maximum(ops.sum(ctx.mask, 1, true), 1)) : logRatio;
  const ratio = ops.exp(logWeight);
  const clipped = ops.clamp(ratio, 1 - o.epsilon, 1 + (o.epsilonHigh ?? o.epsilon));
  const capped = o.delta !== undefined ? ops.clamp(ratio, undefined, o.delta) : ratio;
  const advantages = ops.unsqueeze(ctx.advantages, 1);
  let loss = ops.neg(ops.minimum(ops.mul(capped, advantages), ops.mul(clipped, advantages)));
  if (o.beta > 0) loss = ops.add(loss, ops.mul(ops.klK3(ctx.logProbs, ctx.referenceLogProbs()), o.beta));
  return loss;
}

export const grpoObjective = defineItem({
  kind: 'rollout',
  description: 'GRPO clipped policy loss on sampled completions (TRL semantics: loss types, ε low/high, δ, token or sequence ratios, k3 KL with β)',
  options: grpoOptions,
  create: (o): RolloutObjective => ({
    kind: 'rollout',
    name: 'grpo',
    weight: o.weight,
    usesReference: o.beta > 0,
    lossType: o.lossType,
    clip: { low: o.epsilon, high: o.epsilonHigh ?? o.epsilon },
    build: (ctx) => ({ perToken: grpoPerToken(ctx, o) }),
  }),
});
