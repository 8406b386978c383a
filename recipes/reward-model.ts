/**
 * Recipe `reward-model`: trains a reward model — a decoder base, a LoRA adapter and a `score`
 * head — and writes it as a complete `…ForSequenceClassification` folder that `attune classify`,
 * the reward plugins and transformers load. Reads top to bottom: open the base, turn the sources'
 * examples into the task's rows (scores, classes, relevance pairs with random negatives, or
 * preference pairs), train, then score the held-out rows again through the exported folder, so
 * the figures reported are those of the artifact a user gets.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { AttuneError, defineRecipe } from 'attune';
import type { CanonicalExample, DatasetSource, ItemRef, RunContext } from 'attune';
import { annomiPreferencePairs, classRows, counselChatPreferencePairs, preferenceRows, relevanceRows, scoreRows } from 'attune/data';
import type { RewardRows } from 'attune/data';
import { classifierConfigJson, loraConfig, loraConfigInputSchema, openModelFolder, parseClassifierConfig, SequenceClassifier } from 'attune/model';
import type { ClassifierHead } from 'attune/model';
import { heldOutMetrics, writeLossCurves } from 'attune/train';
import type { RewardLoss } from 'attune/train';
import { CLASSIFIER_DIR } from '../plugins/trainers/reward-model/index.js';
import type { RewardModelTrainer, RewardStageInput } from '../plugins/trainers/reward-model/index.js';

const STAGE = 'reward';

const task = z.discriminatedUnion('task', [
  z.strictObject({
    task: z.literal('regression'),
    label: z.string().min(1).describe('dotted path of a numeric label, e.g. scores.empathy (WASSA)'),
  }),
  z.strictObject({
    task: z.literal('classification'),
    label: z.string().min(1).describe('dotted path of a string label, e.g. emotion.label, strategy'),
    classes: z.array(z.string().min(1)).min(2).optional().describe('class order of the exported id2label (default: sorted train values)'),
  }),
  z.strictObject({
    task: z.literal('binary'),
    negatives: z.number().int().positive().default(1).describe('relevance: replies from other conversations paired with each user turn'),
  }),
  z.strictObject({
    task: z.literal('preference'),
    pairs: z.enum(['examples', 'counselchat-upvotes', 'annomi-quality']).default('examples').describe("the sources' own preference examples, or pairs built from CounselChat upvotes or AnnoMI quality"),
  }),
]);
type TaskConfig = z.output<typeof task>;

function rowsOf(t: TaskConfig, examples: readonly CanonicalExample[], seed: number, classes?: readonly string[]): RewardRows {
  switch (t.task) {
    case 'regression':
      return scoreRows(examples, t.label);
    case 'classification':
      return classRows(examples, t.label, classes ?? t.classes);
    case 'binary':
      return relevanceRows(examples, { negatives: t.negatives, seed });
    case 'preference':
      if (t.pairs === 'counselchat-upvotes') return preferenceRows(counselChatPreferencePairs(examples, { seed }));
      if (t.pairs === 'annomi-quality') return preferenceRows(annomiPreferencePairs(examples, { seed }));
      return preferenceRows(examples);
  }
}

interface OpenedSource {
  readonly ref: ItemRef<'sources'>;
  readonly source: DatasetSource;
}

/** Every source's examples of `split`; null when no source has that split. */
async function loadSplit(run: RunContext, sources: readonly OpenedSource[], split: string): Promise<CanonicalExample[] | null> {
  const examples: CanonicalExample[] = [];
  let found = false;
  for (const { ref, source } of sources) {
    if (!source.splits.includes(split)) {
      if (split !== 'train') run.warn(`${ref.use} has no '${split}' split; it is not evaluated`);
      continue;
    }
    found = true;
    examples.push(...(await source.load({ split })).examples);
  }
  return found ? examples : null;
}

/** The task's held-out metrics from the exported classifier's logits. */
async function exportedMetrics(dir: string, rows: RewardRows, o: { evalExamples: number; maxLength: number }, loss: RewardLoss, seed: number): Promise<Record<string, number>> {
  // Truncated as in training, so any difference is the export's (bf16 rounding of merged weights).
  const classifier = await SequenceClassifier.open(dir, { maxLength: o.maxLength });
  try {
    return await heldOutMetrics(rows, loss, { limit: o.evalExamples, seed }, async (inputs) => (await classifier.classify(inputs)).map((c) => c.logits));
  } finally {
    await classifier.release();
  }
}

export const rewardModel = defineRecipe({
  description: 'train a reward model (decoder + LoRA + score head: mse, bce, ce or Bradley–Terry) and export it as a …ForSequenceClassification folder',
  stages: [{ name: STAGE, description: 'train the adapter and the score head on the reward rows' }],
  defaultConfig: 'configs/reward-model/empathy.yaml',
  config: (items) =>
    z.strictObject({
      model: z.string().default('attune-small-qwen2').describe('decoder base: model folder, hub id in the local cache, or embedded model'),
      lora: loraConfigInputSchema.prefault({}).describe('the LoRA adapter that is trained with the head (PEFT LoraConfig)'),
      pairFormat: z
        .enum(['text', 'chat'])
        .default('text')
        .describe("how (text, pair) rows are read: 'text' back to back as transformers' tokenizer(text, pair); 'chat' as a user turn and an assistant reply through the base's chat template (TRL's reward-model convention; the exported config.json says attune_pair_format: chat)"),
      data: z.strictObject({
        sources: z.array(items.ref('sources')).min(1).describe('sources whose train split gives the training rows and whose eval split the held-out rows'),
        rows: task.describe('what the model learns: task regression | classification | binary | preference, with its options'),
      }),
      trainer: items.ref('trainers').describe('the trainer (trainers/reward-model)'),
    }),
  run: async (config, run) => {
    const model = await openModelFolder(config.model);
    const trainer = (await run.create(config.trainer)) as RewardModelTrainer;
    if (typeof trainer.lossFor !== 'function') throw new AttuneError(`trainer: ${config.trainer.use} is not a reward-model trainer.`, 'Use trainers/reward-model.');
    const evalSplit = trainer.options.evalSplit;

    const sources: OpenedSource[] = [];
    for (const ref of config.data.sources) sources.push({ ref, source: await run.create(ref) });
    const train = rowsOf(config.data.rows, (await loadSplit(run, sources, 'train')) ?? [], run.seed);
    const held = await loadSplit(run, sources, evalSplit);
    const evaluation = held ? rowsOf(config.data.rows, held, run.seed, train.labels) : null;
    run.log(`${train.task} rows: ${train.rows.length} train${evaluation ? `, ${evaluation.rows.length} ${evalSplit}` : ''}${train.skipped ? ` (${train.skipped} train examples had no usable label and were skipped)` : ''}`);

    const pad = model.tokenizer.pad?.id ?? model.tokenizer.eos?.id;
    if (pad === undefined) throw new AttuneError(`${model.dir}: the tokenizer has neither a pad nor an eos token.`, 'A sequence classifier needs pad_token_id to find the last token; set pad_token in tokenizer_config.json.');
    const problemType = train.task === 'regression' ? 'regression' : train.task === 'classification' ? 'single_label_classification' : undefined;
    if (config.pairFormat === 'chat' && !model.tokenizer.hasChatTemplate) {
      throw new AttuneError(`pairFormat: chat, but ${model.dir} has no chat template to render pairs with.`, 'Use a base with a chat_template (tokenizer_config.json or chat_template.jinja), or pairFormat: text.');
    }
    const head: ClassifierHead = { labels: train.labels, padTokenId: pad, pairFormat: config.pairFormat, ...(problemType ? { problemType } : {}) };
    const classifier = parseClassifierConfig(await classifierConfigJson(model, head), join(model.dir, 'config.json'));

    const input: RewardStageInput = { stage: STAGE, model, modelName: config.model, lora: loraConfig(config.lora, 'lora'), train, eval: evaluation, head, classifier };
    const result = await trainer.train(input, run);
    const plots = await writeLossCurves(run.runDir);
    run.log(`loss curves: ${plots.join(', ')}`);
    if (!result.artifactsDir) return { metrics: { steps: result.steps, ...result.metrics } };

    const exported = join(result.artifactsDir, CLASSIFIER_DIR);
    run.log(`classifier: ${exported} (attune classify --model ${exported} --text "…")`);
    const checked: Record<string, number> = { train_rows: train.rows.length, eval_rows: evaluation?.rows.length ?? 0 };
    if (evaluation && evaluation.rows.length > 0) {
      const metrics = await exportedMetrics(exported, evaluation, trainer.options, trainer.lossFor(train.task), run.seed);
      const line = Object.entries(metrics).map(([k, v]) => `${k} ${v.toFixed(4)} (training graph ${(result.metrics[`eval_${k}`] ?? Number.NaN).toFixed(4)})`);
      run.log(`exported classifier on ${evalSplit}: ${line.join(', ')}`);
      for (const [k, v] of Object.entries(metrics)) checked[`exported_${k}`] = v;
    }
    return { metrics: { steps: result.steps, ...result.metrics, ...checked } };
  },
});
