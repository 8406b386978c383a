/**
 * The `dpo` trainer's options (TRL's DPOConfig counterpart): the shared stage-loop options, pairs
 * per step (microBatchSize × gradientAccumulation), lengths, whether the reference's log-probs are
 * precomputed once or scored before every step, and the held-out evaluation.
 */
import { z } from 'zod';
import { checkStageLoop, stageLoopOptions } from 'attune/train';

export const dpoTrainerOptions = stageLoopOptions.extend({
  microBatchSize: z.number().int().positive().default(2).describe('pairs per session run (each run holds 2 × this rows: chosen, then rejected)'),
  maxLength: z.number().int().positive().default(512).describe('tokens per side (prompt + reply): a longer conversation loses its earliest turns, then its reply is cut (TRL keep_start)'),
  bucket: z.number().int().positive().default(32).describe('sequence lengths are padded up to a multiple of this'),
  precomputeRefLogProbs: z
    .boolean()
    .default(false)
    .describe("score every pair under the reference once before training and cache it in the run directory (no reference forward per step); false: score each step's pairs before it"),
  evalPairs: z.number().int().min(0).default(64).describe('held-out pairs evaluated (from the start of the evaluation split; 0: none)'),
  intraOpThreads: z.number().int().positive().optional().describe('onnxruntime threads (default: all cores)'),
}).superRefine(checkStageLoop);
export type DpoTrainerOptions = z.output<typeof dpoTrainerOptions>;
