/**
 * Recipe `sft-multiobjective`: supervised fine-tuning of a LoRA adapter with auxiliary heads,
 *   L = λ_lm·L_nll + λ_emo·L_emotion + λ_strat·L_strategy + λ_safe·L_safety_kl
 * Reads top to bottom: open the model, build the terms that have a weight, load the sources,
 * train, plot. A term with weight 0 is never created (no head, no reference forward).
 */
import { z } from 'zod';
import { defineRecipe, RecipeError } from '../core/kernel/index.js';
import type { ItemRef } from '../core/kernel/index.js';
import { openModelFolder } from '../core/model/folder/open-model-folder.js';
import { writeLossCurves } from '../core/report/loss-curves.js';
import { loraConfig, loraConfigInputSchema } from '../core/model/lora/index.js';
import type { SftObjective } from '../core/train/objective.js';
import { isActiveWeight } from '../core/train/objective.js';
import type { SourceSplit } from '../core/train/sft-data.js';
import type { SftStageInput } from '../plugins/trainers/sft/trainer.js';

const STAGE = 'sft';

/** The source's name in mixtures and curricula: the item name (`sources/esconv` → `esconv`). */
const sourceName = (ref: ItemRef<'sources'>): string => ref.use.slice(ref.use.lastIndexOf('/') + 1);

function asSftObjective(ref: ItemRef<'objectives'>, value: unknown): SftObjective {
  const o = value as Partial<SftObjective>;
  if (typeof o.build !== 'function' || typeof o.name !== 'string' || typeof o.weight !== 'number' || typeof o.needs !== 'object') {
    throw new RecipeError(`Objective '${ref.use}' is not an SFT objective (it needs name, weight, needs and build(ctx)).`, 'Use an objective written for core/train SftBuildContext.');
  }
  return o as SftObjective;
}

export const sftMultiobjective = defineRecipe({
  description: 'LoRA SFT with LM, emotion-head, strategy-head and safety-KL terms',
  stages: [{ name: STAGE, description: 'weighted multi-objective supervised fine-tuning' }],
  defaultConfig: 'configs/sft-multiobjective/example.yaml',
  config: (items) =>
    z.strictObject({
      model: z.string().default('attune-tiny-qwen2').describe('model folder, hub id in the local cache, or embedded model'),
      lora: loraConfigInputSchema.prefault({}).describe('the LoRA adapter that is trained (PEFT LoraConfig: r, alpha, dropout, targetModules, useRslora)'),
      data: z.strictObject({
        sources: z.array(items.ref('sources')).min(1).describe('sources mixed for training (train split) and evaluation'),
      }),
      objectives: z.array(items.ref('objectives')).min(1).describe('loss terms; each has its own weight option'),
      trainer: items.ref('trainers').describe('the trainer (trainers/sft)'),
    }),
  run: async (config, run) => {
    const model = await openModelFolder(config.model);

    const objectives: SftObjective[] = [];
    for (const ref of config.objectives) {
      if (!isActiveWeight(ref.options.weight)) {
        run.log(`${ref.use}: weight 0, not built`);
        continue;
      }
      objectives.push(asSftObjective(ref, await run.create(ref)));
    }

    const trainer = await run.create(config.trainer);
    const evalSplit = typeof config.trainer.options.evalSplit === 'string' ? config.trainer.options.evalSplit : 'validation';
    const train: SourceSplit[] = [];
    const evaluation: SourceSplit[] = [];
    for (const ref of config.data.sources) {
      const source = await run.create(ref);
      const name = sourceName(ref);
      train.push({ name, examples: (await source.load({ split: 'train' })).examples });
      if (source.splits.includes(evalSplit)) evaluation.push({ name, examples: (await source.load({ split: evalSplit })).examples });
      else run.warn(`${ref.use} has no '${evalSplit}' split; it is not evaluated`);
    }

    const input: SftStageInput = { stage: STAGE, model, modelName: config.model, lora: loraConfig(config.lora, 'lora'), objectives, train, eval: evaluation };
    const result = await trainer.train(input, run);
    run.events.emit('stage:end', { stage: STAGE, metrics: result.metrics });
    const plots = await writeLossCurves(run.runDir);
    run.log(`loss curves: ${plots.join(', ')}`);
    if (result.artifactsDir) run.log(`adapter and heads: ${result.artifactsDir}`);
    return { metrics: { steps: result.steps, ...result.metrics } };
  },
});
