/**
 * The `sft` trainer's options (the zod half of the config/trainer pair; `trainer.ts` is the
 * other half). Defaults are the `example` recipe's.
 */
import { z } from 'zod';

export const samplingSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('mixture'),
    alpha: z.number().gt(0).max(1).default(0.5).describe('temperature: source i is drawn with p ∝ size_i^alpha'),
    weights: z.record(z.string(), z.number().min(0)).optional().describe('explicit mixture weights by source name (overrides alpha)'),
  }),
  z.strictObject({
    kind: z.literal('curriculum'),
    file: z.string().describe('curriculum YAML (relative to the config file), e.g. configs/curricula/*.yaml'),
  }),
]);

export const sftTrainerOptions = z.strictObject({
  steps: z.number().int().positive().describe('optimizer steps'),
  microBatchSize: z.number().int().positive().default(4).describe('examples per session run'),
  gradientAccumulation: z.number().int().positive().default(1).describe('micro-batches per optimizer step'),
  maxLength: z.number().int().min(8).default(256).describe('tokens per example; earlier turns are dropped to fit'),
  bucket: z.number().int().positive().default(64).describe('sequence lengths are padded up to a multiple of this (one compiled session per bucket)'),
  lr: z.number().positive().default(2e-4).describe('peak learning rate'),
  headLrScale: z.number().positive().default(1).describe('learning-rate multiplier for classification heads'),
  weightDecay: z.number().min(0).default(0).describe('AdamW decoupled weight decay'),
  betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).default([0.9, 0.999]).describe('AdamW betas'),
  eps: z.number().positive().default(1e-8).describe('AdamW epsilon'),
  schedule: z.enum(['constant', 'linear', 'cosine']).default('cosine').describe('learning-rate decay after warmup'),
  warmupSteps: z.number().int().min(0).default(0).describe('steps of linear warmup'),
  minLrRatio: z.number().min(0).max(1).default(0.1).describe('final lr as a fraction of the peak (linear, cosine)'),
  maxGradNorm: z.number().positive().nullable().default(1).describe('global gradient-norm clip (null: no clipping)'),
  sampling: samplingSchema.default({ kind: 'mixture', alpha: 0.5 }).describe('how examples are drawn from the sources'),
  evalEvery: z.number().int().min(0).default(50).describe('evaluate every N steps (0: only at the end)'),
  evalSplit: z.string().default('validation').describe('held-out split of each source used for evaluation'),
  evalExamples: z.number().int().positive().default(64).describe('held-out examples per source used in each evaluation'),
  checkpointEvery: z.number().int().min(0).default(50).describe('checkpoint every N steps (0: only on interruption)'),
  intraOpThreads: z.number().int().positive().optional().describe('onnxruntime threads (default: all cores)'),
});
export type SftTrainerOptions = z.output<typeof sftTrainerOptions>;
