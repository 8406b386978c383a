/**
 * The `reward-model` trainer's options (TRL's RewardConfig counterpart): the shared stage-loop
 * options plus batching, the loss (by default the task's own), Bradley–Terry centering and the
 * score head's learning-rate multiplier.
 */
import { z } from 'zod';
import { checkStageLoop, rewardLosses, stageLoopOptions } from 'attune/train';

export const rewardTrainerOptions = stageLoopOptions.extend({
  microBatchSize: z.number().int().positive().default(8).describe('rows (pairs, for preference data) per session run'),
  maxLength: z.number().int().min(8).default(256).describe('tokens per input; (text, pair) inputs are truncated longest first'),
  bucket: z.number().int().positive().default(32).describe('sequence lengths are padded up to a multiple of this (one compiled session per bucket)'),
  loss: z.enum(['auto', ...rewardLosses]).default('auto').describe('auto: mse for scores, bce for relevance, ce for classes, bradley-terry for preference pairs'),
  centerRewardsCoefficient: z.number().min(0).default(0).describe('Bradley–Terry: adds c·(r_chosen + r_rejected)² so rewards stay centred (TRL center_rewards_coefficient)'),
  headLrScale: z.number().positive().default(10).describe('learning-rate multiplier for the fresh score head'),
  evalSplit: z.string().default('validation').describe('held-out split of each source used for evaluation'),
  evalExamples: z.number().int().positive().default(1000).describe('held-out rows (or pairs) used in each evaluation'),
  intraOpThreads: z.number().int().positive().optional().describe('onnxruntime threads (default: all cores)'),
}).superRefine(checkStageLoop);
export type RewardTrainerOptions = z.output<typeof rewardTrainerOptions>;
