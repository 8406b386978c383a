/**
 * Recipe `grpo-empathy`: GRPO of a LoRA adapter on conversation turns (WASSA by default), rewarded
 * for replies that fit the turn (a relevance cross-encoder) and read as empathic (an empathy
 * regressor) — the seed GRPO-Empathy pipeline, with the embedded reward models as defaults so it
 * runs with no download. Reads top to bottom: open the policy base, build the prompts from the
 * sources' turns, build the rollout objectives, run the GRPO stage, plot.
 */
import { z } from 'zod';
import { defineRecipe } from 'attune';
import type { CanonicalExample } from 'attune';
import { conversationPrompts } from 'attune/data';
import { loraConfig, loraConfigInputSchema, openModelFolder } from 'attune/model';
import { isActiveWeight, writeLossCurves } from 'attune/train';
import type { RolloutObjective } from 'attune/train';
import type { GrpoStageInput, GrpoTrainer } from '../plugins/trainers/grpo/index.js';

const STAGE = 'grpo';

export const grpoEmpathy = defineRecipe({
  description: 'GRPO with relevance (cross-encoder) and empathy (regressor) rewards on conversation turns',
  stages: [{ name: STAGE, description: 'sample G replies per prompt from the adapter, score them, update on group advantages' }],
  defaultConfig: 'configs/grpo-empathy/example.yaml',
  config: (items) =>
    z.strictObject({
      model: z.string().default('attune-small-qwen2').describe('policy base: model folder, hub id in the local cache, or embedded model'),
      lora: loraConfigInputSchema.prefault({}).describe('the LoRA adapter that is trained (PEFT LoraConfig)'),
      data: z.strictObject({
        sources: z.array(items.ref('sources')).min(1).describe('turn-level sources whose train split gives the prompts'),
        contextTurns: z.number().int().min(0).default(2).describe('earlier turns kept in each prompt before the turn to answer'),
        maxPrompts: z.number().int().positive().optional().describe('use at most this many prompts (in source order)'),
      }),
      objectives: z.array(items.ref('objectives')).min(1).describe('rollout objectives (objectives/grpo)'),
      trainer: items.ref('trainers').describe('the trainer (trainers/grpo): rollouts, rewards, decoding policy'),
    }),
  run: async (config, run) => {
    const model = await openModelFolder(config.model);

    const examples: CanonicalExample[] = [];
    for (const ref of config.data.sources) examples.push(...(await (await run.create(ref)).load({ split: 'train' })).examples);
    const prompts = conversationPrompts(examples, { contextTurns: config.data.contextTurns }).slice(0, config.data.maxPrompts);
    run.log(`prompts: ${prompts.length} turns answered in the data, up to ${config.data.contextTurns} earlier turns each`);

    const objectives: RolloutObjective[] = [];
    for (const ref of config.objectives) {
      if (!isActiveWeight(ref.options.weight)) continue;
      // The config validator has checked that every objective here is of the trainer's kind (rollout).
      objectives.push((await run.create(ref)) as RolloutObjective);
    }

    const trainer = (await run.create(config.trainer)) as GrpoTrainer;
    const input: GrpoStageInput = { stage: STAGE, model, modelName: config.model, lora: loraConfig(config.lora, 'lora'), objectives, prompts };
    const result = await trainer.train(input, run);
    const plots = await writeLossCurves(run.runDir);
    run.log(`curves: ${plots.join(', ')}`);
    if (result.artifactsDir) run.log(`adapter: ${result.artifactsDir}; completions: completions.md, completions.jsonl`);
    return { metrics: { steps: result.steps, prompts: prompts.length, ...result.metrics } };
  },
});
