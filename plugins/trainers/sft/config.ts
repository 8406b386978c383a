/**
 * The `sft` trainer's options (the zod half of the config/trainer pair; `trainer.ts` is the
 * other half): the shared stage-loop options plus what is SFT's own. Defaults are the `example`
 * config's.
 */
import { z } from 'zod';
import { checkStageLoop, stageLoopOptions } from 'attune/train';

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

export const sftTrainerOptions = stageLoopOptions.extend({
  microBatchSize: z.number().int().positive().default(4).describe('examples per session run'),
  maxLength: z.number().int().min(8).default(256).describe('tokens per example; earlier turns are dropped to fit'),
  bucket: z.number().int().positive().default(64).describe('sequence lengths are padded up to a multiple of this (one compiled session per bucket)'),
  headLrScale: z.number().positive().default(1).describe('learning-rate multiplier for classification heads'),
  sampling: samplingSchema.default({ kind: 'mixture', alpha: 0.5 }).describe('how examples are drawn from the sources'),
  evalSplit: z.string().default('validation').describe('held-out split of each source used for evaluation'),
  evalExamples: z.number().int().positive().default(64).describe('held-out examples per source used in each evaluation'),
  intraOpThreads: z.number().int().positive().optional().describe('onnxruntime threads (default: all cores)'),
}).superRefine(checkStageLoop);
export type SftTrainerOptions = z.output<typeof sftTrainerOptions>;
