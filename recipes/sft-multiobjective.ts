/**
 * Recipe `sft-multiobjective`: supervised fine-tuning of a LoRA adapter with auxiliary heads,
 *   L = λ_lm·L_nll + λ_emo·L_emotion + λ_strat·L_strategy + λ_safe·L_safety_kl
 * Reads top to bottom: open the model, build the terms that have a weight, load the sources,
 * train, plot. A term with weight 0 is never created (no head, no reference forward).
 */
import { z } from 'zod';
import { defineRecipe } from 'attune';
import { loraConfig, loraConfigInputSchema } from 'attune/model';
import { activeObjectives, checkTrainingBlock, loadSourceSplits, openBaseModel, baseModelOptions, writeLossCurves } from 'attune/train';
import type { SftObjective } from 'attune/train';
import type { SftStageInput } from '../plugins/trainers/sft/trainer.js';

const STAGE = 'sft';

export const sftMultiobjective = defineRecipe({
  description: 'LoRA SFT with LM, emotion-head, strategy-head and safety-KL terms',
  stages: [{ name: STAGE, description: 'weighted multi-objective supervised fine-tuning' }],
  defaultConfig: 'configs/sft-multiobjective/example.yaml',
  config: (items) =>
    z.strictObject({
      model: z.string().default('attune-tiny-qwen2').describe('model folder, hub id in the local cache, or embedded model'),
      lora: loraConfigInputSchema.prefault({}).describe('the LoRA adapter that is trained (PEFT LoraConfig: r, alpha, dropout, targetModules, useRslora)'),
      ...baseModelOptions,
      data: z.strictObject({
        sources: z.array(items.ref('sources')).min(1).describe('sources mixed for training (train split) and evaluation'),
      }),
      objectives: z.array(items.ref('objectives')).min(1).describe('loss terms; each has its own weight option'),
      trainer: items.ref('trainers').describe('the trainer (trainers/sft)'),
    }).superRefine((config, ctx) => checkTrainingBlock({ ...config, sources: config.data.sources }, ctx)),
  run: async (config, run) => {
    const model = await openBaseModel(run, config.model, config);
    const objectives = await activeObjectives<SftObjective>(run, config.objectives);
    const trainer = await run.create(config.trainer);
    const evalSplit = typeof config.trainer.options.evalSplit === 'string' ? config.trainer.options.evalSplit : 'validation';
    const data = await loadSourceSplits(run, config.data.sources, evalSplit);

    const input: SftStageInput = { stage: STAGE, model, modelName: config.model, lora: loraConfig(config.lora, 'lora'), objectives, train: data.train, eval: data.eval };
    const result = await trainer.train(input, run);
    const plots = await writeLossCurves(run.runDir);
    run.log(`loss curves: ${plots.join(', ')}`);
    if (result.artifactsDir) run.log(`adapter and heads: ${result.artifactsDir}`);
    return { metrics: { steps: result.steps, ...result.metrics } };
  },
});
