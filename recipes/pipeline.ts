/**
 * Recipe `pipeline`: the seeds' one-command run (`main.py all`) — train, evaluate the tuned
 * adapter beside its base, and write the report. Reads top to bottom: an SFT stage (the
 * multi-objective SFT's blocks: sources, objectives, trainer), the evaluation stage (EQ-Bench,
 * red-team, NLG, counselling, the heads: whatever the config lists), the curves, the report.
 * `--resume` continues inside the stage that was running; a finished stage is not run again.
 */
import { z } from 'zod';
import { defineRecipe } from 'attune';
import { loraConfig, loraConfigInputSchema } from 'attune/model';
import { openBaseModel, baseModelOptions, StagePipeline, writeLossCurves, writeRunReport } from 'attune/train';
import { evaluationBlock, evaluationStage, sftBlock, sftStage } from './stages.js';

export const pipeline = defineRecipe({
  description: 'train → evaluate base vs tuned (EQ-Bench, red-team, NLG, counselling, heads) → report, in one command',
  stages: [
    { name: 'sft', description: 'multi-objective LoRA SFT' },
    { name: 'evaluate', description: 'every evaluator on the base and the tuned adapter' },
  ],
  defaultConfig: 'configs/pipeline/example.yaml',
  config: (items) =>
    z.strictObject({
      model: z.string().default('attune-small-qwen2').describe('base model: model folder or embedded model'),
      lora: loraConfigInputSchema.prefault({}).describe('the LoRA adapter that is trained (PEFT LoraConfig)'),
      ...baseModelOptions,
      sft: sftBlock(items, 'the SFT stage'),
      evaluation: evaluationBlock(items),
    }),
  run: async (config, run) => {
    const base = { model: await openBaseModel(run, config.model, config), modelName: config.model, lora: loraConfig(config.lora, 'lora') };
    const stages = new StagePipeline(run);

    const sft = await stages.stage('sft', (finalDir) => sftStage(run, base, 'sft', config.sft, finalDir));
    if (sft.interrupted || !sft.artifactsDir) return { metrics: stages.metrics() };
    const adapterDir = sft.artifactsDir;
    await stages.stage('evaluate', () => evaluationStage(run, base, config.evaluation, adapterDir));

    const plots = await writeLossCurves(run.runDir);
    run.log(`curves: ${plots.join(', ')}`);
    const report = await writeRunReport(run.runDir);
    run.log(`report: ${report.markdown}, ${report.html}`);
    return { metrics: stages.metrics() };
  },
});
