/**
 * The `grpo` trainer's options (TRL's GRPOConfig counterpart): the shared stage-loop options, the
 * rollout (prompts per step, G completions each, sampling, lengths), the reward set, μ
 * iterations per generation batch, truncation masking, batching and the completions log. One
 * optimizer step = one pass over a generation batch (promptsPerStep × numGenerations completions)
 * in micro-batches; each generation batch is used for numIterations steps.
 */
import { z } from 'zod';
import { itemRef } from 'attune';
import { checkStageLoop, rewardSetOptions, stageLoopOptions } from 'attune/train';

export const grpoTrainerOptions = stageLoopOptions
  .extend({
    promptsPerStep: z.number().int().positive().default(4).describe('prompts drawn per generation batch'),
    numGenerations: z.number().int().min(2).default(8).describe('G: completions sampled per prompt (a group)'),
    maxPromptLength: z.number().int().positive().default(256).describe('prompts longer than this (in tokens, with the chat template) are skipped'),
    maxCompletionLength: z.number().int().positive().default(128).describe('new tokens per completion'),
    temperature: z.number().positive().default(1).describe('sampling temperature; the policy log-probs are of logits / T as well'),
    topP: z.number().gt(0).max(1).default(1).describe('nucleus sampling (1: off)'),
    topK: z.number().int().min(0).default(0).describe('top-k sampling (0: off)'),
    numIterations: z.number().int().positive().default(1).describe('μ: optimizer steps per generation batch (π_old is kept for all of them)'),
    maskTruncatedCompletions: z.boolean().default(false).describe('completions that hit maxCompletionLength add no loss (they still count in the rewards)'),
    microBatchSize: z.number().int().positive().default(8).describe('completions per session run'),
    bucket: z.number().int().positive().default(32).describe('sequence lengths are padded up to a multiple of this'),
    decoding: itemRef('decoding', 'the decoding policy whose prompt and answer parser the rollouts use').nullable().optional().describe('e.g. decoding/xml-reasoning; null or absent: the conversation as it is, the whole text as the answer'),
    logCompletionsEvery: z.number().int().min(0).default(10).describe('append the batch to completions.jsonl and rewrite completions.md every N steps (0: never)'),
    logProbTolerance: z.number().positive().default(2e-3).describe('largest |graph − generator| log-prob allowed on the first step before the run stops'),
    intraOpThreads: z.number().int().positive().optional().describe('onnxruntime threads (default: all cores)'),
    generation: z
      .discriminatedUnion('backend', [
        z.strictObject({ backend: z.literal('local') }),
        z.strictObject({
          backend: z.literal('openai'),
          servers: z.array(z.url({ protocol: /^https?$/ })).min(1).describe('base URLs of OpenAI-compatible servers with runtime LoRA loading (attune serve, vLLM --enable-lora)'),
          adapterName: z.string().regex(/^[^\s/]+$/).default('attune-policy').describe('each round\'s adapter is loaded as <adapterName>-<round>'),
          timeoutS: z.number().positive().default(600).describe('per HTTP request'),
          apiKey: z.string().optional().describe('sent as a bearer token'),
        }),
      ])
      .default({ backend: 'local' })
      .describe('where completions are sampled: local (this process) or openai (servers that load each round\'s adapter; the graph checks their log-probs every round)'),
  })
  .extend(rewardSetOptions.shape)
  .refine((o) => o.rewardWeights === undefined || o.rewardWeights.length === o.rewards.length, { message: 'rewardWeights needs one weight per reward', path: ['rewardWeights'] })
  .superRefine(checkStageLoop);
export type GrpoTrainerOptions = z.output<typeof grpoTrainerOptions>;
