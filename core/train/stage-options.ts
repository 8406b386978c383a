/**
 * The options every trainer shares, as one schema: steps, accumulation, the optimizer (AdamW),
 * its schedule and clipping, and the evaluation and checkpoint cadence. A trainer's own schema
 * extends this one (`stageLoopOptions.extend({ … })`), so every trainer spells them the same way.
 */
import { z } from 'zod';

export const stageLoopOptions = z.strictObject({
  steps: z.number().int().positive().describe('optimizer steps'),
  gradientAccumulation: z.number().int().positive().default(1).describe('micro-batches per optimizer step'),
  lr: z.number().positive().default(2e-4).describe('peak learning rate'),
  weightDecay: z.number().min(0).default(0).describe('AdamW decoupled weight decay'),
  betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).default([0.9, 0.999]).describe('AdamW betas'),
  eps: z.number().positive().default(1e-8).describe('AdamW epsilon'),
  schedule: z.enum(['constant', 'linear', 'cosine']).default('cosine').describe('learning-rate decay after warmup'),
  warmupSteps: z.number().int().min(0).default(0).describe('steps of linear warmup'),
  minLrRatio: z.number().min(0).max(1).default(0.1).describe('final lr as a fraction of the peak (linear, cosine)'),
  maxGradNorm: z.number().positive().nullable().default(1).describe('global gradient-norm clip (null: no clipping)'),
  evalEvery: z.number().int().min(0).default(50).describe('evaluate every N steps (0: only at the end)'),
  checkpointEvery: z.number().int().min(0).default(50).describe('checkpoint every N steps (0: only on interruption)'),
});
export type StageLoopOptions = z.output<typeof stageLoopOptions>;

/**
 * Checks across the shared options that no single field can make (each trainer's schema ends
 * with `.superRefine(checkStageLoop)`), so `validate` names the key before a run starts.
 */
export function checkStageLoop(o: { steps: number; warmupSteps: number; evalEvery: number; checkpointEvery: number }, ctx: z.RefinementCtx): void {
  if (o.warmupSteps > o.steps) {
    ctx.addIssue({ code: 'custom', path: ['warmupSteps'], message: `warmupSteps (${o.warmupSteps}) exceeds steps (${o.steps}): the learning rate would never reach its peak; lower warmupSteps or raise steps` });
  }
}
