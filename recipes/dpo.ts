/**
 * Recipe `dpo`: direct preference optimization of a LoRA adapter on chosen/rejected pairs (TRL's
 * DPOTrainer semantics). Reads top to bottom: open the model, load the pairs of the preference
 * sources (train split to learn, validation split held out), build the DPO terms, train from a
 * fresh adapter or from an earlier run's (whose model is then the reference), plot.
 */
import { z } from 'zod';
import { resolve } from 'node:path';
import { defineRecipe } from 'attune';
import { loraConfig, loraConfigInputSchema } from 'attune/model';
import { activeObjectives, checkTrainingBlock, loadSourceSplits, openBaseModel, baseModelOptions, pooled, writeLossCurves } from 'attune/train';
import type { PreferenceObjective } from 'attune/train';
import type { DpoStageInput } from '../plugins/trainers/dpo/index.js';

const STAGE = 'dpo';

export const dpo = defineRecipe({
  description: 'DPO of a LoRA adapter on preference pairs (sigmoid, robust, hinge, ipo, or with an SFT term: RPO), against the model as training starts',
  stages: [{ name: STAGE, description: 'chosen over rejected, relative to the frozen starting model' }],
  defaultConfig: 'configs/dpo/example.yaml',
  config: (items) =>
    z.strictObject({
      model: z.string().default('attune-small-qwen2').describe('base model: model folder, hub id in the local cache, or embedded model'),
      lora: loraConfigInputSchema.prefault({}).describe('the LoRA adapter that is trained (PEFT LoraConfig); must match startFrom\'s adapter'),
      ...baseModelOptions,
      startFrom: z.string().optional().describe("a directory holding adapter/ (e.g. an SFT run's final/): the adapter starts there and that model is the reference"),
      data: z.strictObject({
        sources: z.array(items.ref('sources')).min(1).describe('preference sources (e.g. sources/counselchat-pairs, sources/preference-file): train split to learn, validation split held out'),
        evalSplit: z.string().default('validation').describe('held-out split of the same sources'),
      }),
      objectives: z.array(items.ref('objectives')).min(1).describe('preference objectives (objectives/dpo)'),
      trainer: items.ref('trainers').describe('the trainer (trainers/dpo)'),
    }).superRefine((config, ctx) => checkTrainingBlock({ objectives: config.objectives }, ctx)),
  run: async (config, run) => {
    const model = await openBaseModel(run, config.model, config);
    const pairs = await loadSourceSplits(run, config.data.sources, config.data.evalSplit);
    const train = pooled(pairs.train);
    const held = pooled(pairs.eval);
    run.log(`pairs: ${train.length} to train on, ${held.length} held out`);
    const objectives = await activeObjectives<PreferenceObjective>(run, config.objectives);

    const trainer = await run.create(config.trainer);
    const input: DpoStageInput = {
      stage: STAGE,
      model,
      modelName: config.model,
      lora: loraConfig(config.lora, 'lora'),
      objectives,
      train,
      eval: held,
      ...(config.startFrom ? { startFrom: resolve(config.startFrom) } : {}),
    };
    const result = await trainer.train(input, run);
    const plots = await writeLossCurves(run.runDir);
    run.log(`curves: ${plots.join(', ')}`);
    if (result.artifactsDir) run.log(`adapter: ${result.artifactsDir}`);
    return { metrics: { steps: result.steps, pairs: train.length, ...result.metrics } };
  },
});
