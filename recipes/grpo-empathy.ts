/**
 * Recipe `grpo-empathy`: GRPO of a LoRA adapter on conversation turns (WASSA by default), rewarded
 * for replies that fit the turn and read as empathic — the seed GRPO-Empathy pipeline, with
 * embedded reward models as defaults so it runs with no download. Reads top to bottom: open the
 * policy base, build the prompts from the sources' turns, optionally warm the adapter up on XML
 * targets built from the data (a policy too small to follow the format from instructions), build
 * the rollout objectives, run the GRPO stage from that adapter, plot.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { AttuneError, defineRecipe } from 'attune';
import type { CanonicalExample, ItemRef } from 'attune';
import { conversationPrompts, xmlWarmupExamples } from 'attune/data';
import { loraConfig, loraConfigInputSchema } from 'attune/model';
import { activeObjectives, checkpointFiles, checkTrainingBlock, openBaseModel, baseModelOptions, writeLossCurves } from 'attune/train';
import type { RolloutObjective, SftObjective } from 'attune/train';
import type { GrpoStageInput, GrpoTrainer } from '../plugins/trainers/grpo/index.js';
import type { SftStageInput } from '../plugins/trainers/sft/index.js';

const WARMUP = 'sft-warmup';
const STAGE = 'grpo';
const WARMUP_FINAL = join(WARMUP, 'final');

export const grpoEmpathy = defineRecipe({
  description: 'GRPO on conversation turns with relevance and empathy rewards (embedded reward models by default), optionally after an XML warm-up',
  stages: [
    { name: WARMUP, description: 'optional: supervised XML <reasoning>/<answer> targets built from the data (warmup in the config)' },
    { name: STAGE, description: 'sample G replies per prompt from the adapter, score them, update on group advantages' },
  ],
  defaultConfig: 'configs/grpo-empathy/example.yaml',
  config: (items) =>
    z.strictObject({
      model: z.string().default('attune-small-qwen2').describe('policy base: model folder, hub id in the local cache, or embedded model'),
      lora: loraConfigInputSchema.prefault({}).describe('the LoRA adapter that is trained (PEFT LoraConfig)'),
      ...baseModelOptions,
      data: z.strictObject({
        sources: z.array(items.ref('sources')).min(1).describe('turn-level sources whose train split gives the prompts'),
        contextTurns: z.number().int().min(0).default(2).describe('earlier turns kept in each prompt before the turn to answer'),
        maxPrompts: z.number().int().positive().optional().describe('use at most this many prompts (in source order)'),
      }),
      warmup: z
        .strictObject({
          objectives: z.array(items.ref('objectives')).min(1).describe('SFT objectives of the warm-up (objectives/lm)'),
          trainer: items.ref('trainers').describe('the warm-up trainer (trainers/sft)'),
        })
        .optional()
        .describe('an SFT stage on XML targets built from the data before GRPO (needs trainer.options.decoding: decoding/xml-reasoning)'),
      objectives: z.array(items.ref('objectives')).min(1).describe('rollout objectives (objectives/grpo)'),
      trainer: items.ref('trainers').describe('the trainer (trainers/grpo): rollouts, rewards, decoding policy'),
    }).superRefine((config, ctx) => checkTrainingBlock({ objectives: config.objectives }, ctx)),
  run: async (config, run) => {
    const model = await openBaseModel(run, config.model, config);

    const examples: CanonicalExample[] = [];
    for (const ref of config.data.sources) examples.push(...(await (await run.create(ref)).load({ split: 'train' })).examples);
    const prompts = conversationPrompts(examples, { contextTurns: config.data.contextTurns }).slice(0, config.data.maxPrompts);
    run.log(`prompts: ${prompts.length} turns answered in the data, up to ${config.data.contextTurns} earlier turns each`);

    const lora = loraConfig(config.lora, 'lora');
    let startFrom: string | undefined;
    if (config.warmup) {
      const decoding = config.trainer.options.decoding as ItemRef<'decoding'> | null | undefined;
      const policy = decoding ? await run.create(decoding) : null;
      if (!policy?.prompt) throw new AttuneError('warmup: the XML warm-up needs the decoding policy whose format it teaches.', 'Set trainer.options.decoding: decoding/xml-reasoning, or drop warmup.');
      startFrom = join(run.runDir, WARMUP_FINAL);
      // A resumed run whose warm-up finished goes straight on with GRPO from the warm-up's adapter.
      if (run.resumed && existsSync(join(startFrom, checkpointFiles.adapterWeights))) run.log(`${WARMUP}: finished before; GRPO starts from ${startFrom}`);
      else {
        const examples = xmlWarmupExamples(prompts, (messages) => policy.prompt!(messages));
        run.log(`${WARMUP}: ${examples.length} XML targets from the prompts' annotations and the data's answers`);
        const warmupObjectives = await Promise.all(config.warmup.objectives.map(async (ref) => (await run.create(ref)) as SftObjective));
        const sft = await run.create(config.warmup.trainer);
        const input: SftStageInput = { stage: WARMUP, model, modelName: config.model, lora, objectives: warmupObjectives, train: [{ name: 'xml', examples }], eval: [], finalDir: WARMUP_FINAL };
        const warm = await sft.train(input, run);
        if (warm.interrupted) return { metrics: { steps: warm.steps, ...warm.metrics } };
      }
    }

    const objectives = await activeObjectives<RolloutObjective>(run, config.objectives);

    const trainer = (await run.create(config.trainer)) as GrpoTrainer;
    const input: GrpoStageInput = { stage: STAGE, model, modelName: config.model, lora, objectives, prompts, finalDir: 'final', ...(startFrom ? { startFrom } : {}) };
    const result = await trainer.train(input, run);
    const plots = await writeLossCurves(run.runDir);
    run.log(`curves: ${plots.join(', ')}`);
    if (result.artifactsDir) run.log(`adapter: ${result.artifactsDir}; completions: completions.md, completions.jsonl`);
    return { metrics: { steps: result.steps, prompts: prompts.length, ...result.metrics } };
  },
});
