/**
 * The therapy pipelines (the mission's Gemma-3n seed), two recipes over one LoRA adapter that each
 * stage continues:
 *   therapy-sequential:  CounselChat SFT → AnnoMI SFT → DPO → merge
 *   therapy-curriculum:  one SFT stage on a CounselChat→AnnoMI curriculum (per-phase mixture and
 *                        learning rate) → DPO (optional) → merge
 * Each stage writes `<stage>/final` and hands it to the next; the DPO reference is the model as
 * DPO starts (the SFT adapter, frozen). `--resume` continues inside the stage that was running;
 * `--from-stage dpo --from-run <dir>` trains DPO again on another run's SFT outputs.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { defineRecipe } from 'attune';
import type { ItemRefBuilder, RunContext, TrainerResult } from 'attune';
import { loraConfig, loraConfigInputSchema, mergeAdapter } from 'attune/model';
import { activeObjectives, checkTrainingBlock, loadSourceSplits, openBaseModel, baseModelOptions, pooled, StagePipeline, writeLossCurves } from 'attune/train';
import type { BaseModelOptions, PreferenceObjective, StageOutcome } from 'attune/train';
import type { DpoStageInput } from '../plugins/trainers/dpo/index.js';
import { sftBlock, sftStage } from './stages.js';
import type { Base } from './stages.js';

// ── the config blocks ────────────────────────────────────────────────────────────────────────

const dpoBlock = (items: ItemRefBuilder) =>
  z.strictObject({
    sources: z.array(items.ref('sources')).min(1).describe('preference sources (sources/counselchat-pairs, sources/annomi-pairs, sources/preference-file)'),
    evalSplit: z.string().default('validation').describe('held-out split of the same sources'),
    objectives: z.array(items.ref('objectives')).min(1).describe('preference objectives (objectives/dpo)'),
    trainer: items.ref('trainers').describe('the trainer (trainers/dpo)'),
  }).superRefine((block, ctx) => checkTrainingBlock(block, ctx));

const mergeBlock = z
  .strictObject({
    enabled: z.boolean().default(true).describe('write <run>/merged: the base with the final adapter folded in'),
    dtype: z.enum(['fp32', 'fp16', 'bf16']).optional().describe("weights' dtype in the merged folder (default: the base's)"),
  })
  .prefault({});

const common = {
  model: z.string().default('attune-small-qwen2').describe('base model: model folder, hub id in the local cache, or embedded model'),
  lora: loraConfigInputSchema.prefault({}).describe('the one LoRA adapter every stage trains in turn (PEFT LoraConfig)'),
  ...baseModelOptions,
};

type DpoBlock = z.output<ReturnType<typeof dpoBlock>>;
type MergeBlock = z.output<typeof mergeBlock>;

// ── one stage of each kind ───────────────────────────────────────────────────────────────────

async function dpoStage(run: RunContext, base: Base, block: DpoBlock, finalDir: string, startFrom: string | undefined): Promise<TrainerResult> {
  const pairs = await loadSourceSplits(run, block.sources, block.evalSplit);
  const train = pooled(pairs.train);
  const held = pooled(pairs.eval);
  run.log(`dpo: ${train.length} pairs to train on, ${held.length} held out`);
  const objectives = await activeObjectives<PreferenceObjective>(run, block.objectives);
  const trainer = await run.create(block.trainer);
  const input: DpoStageInput = { stage: 'dpo', ...base, objectives, train, eval: held, finalDir, ...(startFrom ? { startFrom } : {}) };
  return trainer.train(input, run);
}

async function mergeStage(run: RunContext, base: Base, adapterDir: string, dtype: 'fp32' | 'fp16' | 'bf16' | undefined): Promise<TrainerResult> {
  const handle = run.stage('merge');
  handle.start();
  const out = join(run.runDir, 'merged');
  const merged = await mergeAdapter({ model: base.modelName, adapter: adapterDir, out, ...(dtype ? { dtype } : {}) });
  run.log(`merge: ${merged.mergedModules} adapted projections folded into ${out}${dtype ? ` (${dtype})` : ''}`);
  const metrics = { merged_modules: merged.mergedModules };
  handle.end(metrics, { interrupted: false });
  return { steps: 0, metrics, artifactsDir: out, interrupted: false };
}

/** The tail both pipelines share: DPO from the SFT adapter (unless `dpo` is null), then the merge of the last adapter. */
async function dpoThenMerge(run: RunContext, base: Base, pipeline: StagePipeline, sft: StageOutcome, config: { dpo: DpoBlock | null; merge: MergeBlock }): Promise<void> {
  let last = sft;
  if (config.dpo) {
    const block = config.dpo;
    last = await pipeline.stage('dpo', (finalDir) => dpoStage(run, base, block, finalDir, sft.artifactsDir));
    if (last.interrupted) return;
  }
  if (config.merge.enabled && last.artifactsDir) {
    const adapterDir = last.artifactsDir;
    await pipeline.stage('merge', () => mergeStage(run, base, adapterDir, config.merge.dtype));
  }
}

/** Curves and the run's headline metrics, however far the pipeline got. */
async function finish(run: RunContext, pipeline: StagePipeline): Promise<{ metrics: Record<string, number> }> {
  const plots = await writeLossCurves(run.runDir);
  if (plots.length > 0) run.log(`curves: ${plots.join(', ')}`);
  return { metrics: pipeline.metrics() };
}

async function openBase(run: RunContext, config: BaseModelOptions & { model: string; lora: z.input<typeof loraConfigInputSchema> }): Promise<Base> {
  return { model: await openBaseModel(run, config.model, config), modelName: config.model, lora: loraConfig(config.lora, 'lora') };
}

// ── the recipes ──────────────────────────────────────────────────────────────────────────────

export const therapySequential = defineRecipe({
  description: 'CounselChat SFT → AnnoMI SFT (same adapter) → DPO → merged model',
  stages: [
    { name: 'sft-counselchat', description: 'single-turn counselling answers' },
    { name: 'sft-annomi', description: 'multi-turn motivational interviewing, continuing the adapter' },
    { name: 'dpo', description: 'preference pairs against the SFT model (skipped when dpo is null)' },
    { name: 'merge', description: 'the base with the final adapter folded in, at <run>/merged' },
  ],
  defaultConfig: 'configs/therapy-sequential/example.yaml',
  config: (items) =>
    z.strictObject({
      ...common,
      counselchat: sftBlock(items, 'the first SFT stage (CounselChat)'),
      annomi: sftBlock(items, 'the second SFT stage (AnnoMI), which continues the first stage\'s adapter'),
      dpo: dpoBlock(items).nullable().default(null).describe('the DPO stage; null skips it'),
      merge: mergeBlock,
    }),
  run: async (config, run) => {
    const base = await openBase(run, config);
    const pipeline = new StagePipeline(run);

    const counselchat = await pipeline.stage('sft-counselchat', (finalDir) => sftStage(run, base, 'sft-counselchat', config.counselchat, finalDir));
    if (counselchat.interrupted) return finish(run, pipeline);

    const annomi = await pipeline.stage('sft-annomi', (finalDir) => sftStage(run, base, 'sft-annomi', config.annomi, finalDir, counselchat.artifactsDir));
    if (annomi.interrupted) return finish(run, pipeline);

    await dpoThenMerge(run, base, pipeline, annomi, config);
    return finish(run, pipeline);
  },
});

export const therapyCurriculum = defineRecipe({
  description: 'SFT on a five-phase CounselChat→AnnoMI curriculum (per-phase mixture and learning rate) → optional DPO → merged model',
  stages: [
    { name: 'sft-curriculum', description: 'the curriculum: mixture weights and lr multiplier per phase' },
    { name: 'dpo', description: 'preference pairs against the curriculum model (skipped when dpo is null)' },
    { name: 'merge', description: 'the base with the final adapter folded in, at <run>/merged' },
  ],
  defaultConfig: 'configs/therapy-curriculum/example.yaml',
  config: (items) =>
    z.strictObject({
      ...common,
      curriculum: sftBlock(items, 'the curriculum stage; its trainer samples with sampling.kind curriculum').superRefine((block, ctx) => {
        const kind = (block.trainer.options.sampling as { kind?: string } | undefined)?.kind ?? 'mixture';
        if (kind !== 'curriculum') {
          ctx.addIssue({
            code: 'custom',
            path: ['trainer', 'options', 'sampling', 'kind'],
            message: `therapy-curriculum trains on a curriculum, got sampling kind '${kind}': set sampling: { kind: curriculum, file: ../curricula/counselchat-to-annomi.yaml }`,
          });
        }
      }),
      dpo: dpoBlock(items).nullable().default(null).describe('the DPO stage after the curriculum; null skips it'),
      merge: mergeBlock,
    }),
  run: async (config, run) => {
    const base = await openBase(run, config);
    const pipeline = new StagePipeline(run);

    const curriculum = await pipeline.stage('sft-curriculum', (finalDir) => sftStage(run, base, 'sft-curriculum', config.curriculum, finalDir));
    if (curriculum.interrupted) return finish(run, pipeline);

    await dpoThenMerge(run, base, pipeline, curriculum, config);
    return finish(run, pipeline);
  },
});
