/**
 * Evaluator `classification`: the adapter's classification heads (an SFT run's `emotion-head`
 * and `strategy-head`) on held-out labelled data — the emotion head on GoEmotions' test split
 * (accuracy and macro-F1 over its classes, and over the Ekman and sentiment groupings of the
 * GoEmotions paper), the strategy head on ESConv's (accuracy and macro-F1) — with confusion
 * matrices. A head reads what it read in training: the conversation up to the reply, rendered
 * with the generation prompt, at its last token.
 */
import { z } from 'zod';
import { defineItem, itemRef, PluginError } from 'attune';
import type { CanonicalExample, EvaluationReport, Evaluator, Message, ResponseRow } from 'attune';
import { goEmotionsLabels, goEmotionToEkman, goEmotionToSentiment, knownLabels, esconvStrategies } from 'attune/data';
import { classScores, confusionSpec } from './scores.js';

const task = (source: string) =>
  z
    .strictObject({
      source: itemRef('sources', 'held-out labelled data').prefault(source).describe(`the data (default ${source})`),
      split: z.string().min(1).default('test').describe('its split'),
      limit: z.number().int().positive().default(500).describe('examples scored at most'),
    })
    .nullable();

const options = z.strictObject({
  emotion: task('sources/goemotions').prefault({}).describe('the emotion head (null: skip)'),
  strategy: task('sources/esconv').prefault({}).describe('the strategy head (null: skip)'),
  batchSize: z.number().int().positive().default(16).describe('conversations read together'),
});

type Head = 'emotion' | 'strategy';

function goldOf(example: CanonicalExample, head: Head): string | undefined {
  const labels = knownLabels(example);
  return head === 'emotion' ? labels.emotion?.label : labels.strategy;
}

/** The conversation the head reads: up to (not including) the last reply, or the whole prompt. */
function promptOf(example: CanonicalExample): Message[] {
  const last = example.messages.map((m) => m.role).lastIndexOf('assistant');
  return (last > 0 ? example.messages.slice(0, last) : example.messages).map((m) => ({ ...m }));
}

function headMetrics(head: Head, rows: readonly ResponseRow[]): { metrics: Record<string, number>; figures: { name: string; spec: Record<string, unknown> }[] } {
  const gold = rows.map((r) => String(r.meta.gold));
  const predicted = rows.map((r) => r.response);
  const order = head === 'emotion' ? goEmotionsLabels : esconvStrategies;
  const scores = classScores(gold, predicted, order);
  const metrics: Record<string, number> = { [`classification.${head}.accuracy`]: scores.accuracy, [`classification.${head}.macro_f1`]: scores.macroF1, [`classification.${head}.examples`]: scores.n };
  const figures = [{ name: `${head}-confusion`, spec: confusionSpec(`${head} head`, scores) }];
  if (head === 'emotion' && [...gold, ...predicted].every((l) => (goEmotionsLabels as readonly string[]).includes(l))) {
    for (const [name, group] of [['ekman', goEmotionToEkman], ['sentiment', goEmotionToSentiment]] as const) {
      const grouped = classScores(gold.map(group), predicted.map(group));
      metrics[`classification.emotion.${name}.accuracy`] = grouped.accuracy;
      metrics[`classification.emotion.${name}.macro_f1`] = grouped.macroF1;
    }
  }
  return { metrics, figures };
}

export const classificationEvaluator = defineItem({
  description: "the adapter's emotion and strategy heads on held-out GoEmotions / ESConv labels: accuracy, macro-F1 (and GoEmotions' Ekman and sentiment groupings), confusion matrices",
  options,
  create: async (o, env): Promise<Evaluator> => {
    if (!env.create) throw new PluginError('evaluators/classification: needs the kernel to build its sources', 'create it through a config or Kernel.create');
    const tasks = (['emotion', 'strategy'] as const).flatMap((head) => (o[head] ? [{ head, ...o[head]! }] : []));
    const sources = await Promise.all(tasks.map((t) => env.create!(t.source)));

    const report = (rows: readonly ResponseRow[], notes: string[]): EvaluationReport => {
      const metrics: Record<string, number> = {};
      const figures: { name: string; spec: Record<string, unknown> }[] = [];
      for (const head of ['emotion', 'strategy'] as const) {
        const mine = rows.filter((r) => r.meta.head === head);
        if (mine.length === 0) continue;
        const m = headMetrics(head, mine);
        Object.assign(metrics, m.metrics);
        figures.push(...m.figures);
      }
      return { metrics, items: [...rows], notes, figures };
    };

    return {
      evaluate: async (subject) => {
        const available = subject.generator.headLabels ?? [];
        const rows: ResponseRow[] = [];
        const notes: string[] = [];
        for (const [k, t] of tasks.entries()) {
          if (!available.includes(t.head) || !subject.generator.readHeads) {
            notes.push(`no ${t.head} head on ${subject.label} (train with objectives/${t.head}-head to have one)`);
            continue;
          }
          const { examples } = await sources[k]!.load({ split: t.split });
          const labelled = examples.filter((e) => goldOf(e, t.head) !== undefined).slice(0, t.limit);
          let classes: readonly string[] | undefined;
          let skipped = 0;
          for (let start = 0; start < labelled.length; start += o.batchSize) {
            const batch = labelled.slice(start, start + o.batchSize);
            const readings = await subject.generator.readHeads(batch.map(promptOf));
            batch.forEach((e, j) => {
              const reading = readings[j]![t.head]!;
              classes ??= Object.keys(reading.probabilities);
              const gold = goldOf(e, t.head)!;
              // Gold labels outside the head's classes (another taxonomy) cannot be scored.
              if (!classes.includes(gold)) {
                skipped++;
                return;
              }
              rows.push({
                prompt_id: e.id,
                prompt: promptOf(e).filter((m) => m.role === 'user').at(-1)?.content ?? '',
                model: subject.label,
                response: reading.label,
                meta: { head: t.head, gold, probability: reading.probability, source: t.source.use, split: t.split },
                decoding: { evaluator: 'evaluators/classification' },
              });
            });
          }
          if (skipped > 0) notes.push(`${t.head}: ${skipped} examples of ${t.source.use} have labels the head does not know (another taxonomy) and were not scored`);
        }
        return report(rows, notes);
      },
      rescore: async (rows) => {
        rows.forEach((r, i) => {
          if ((r.meta.head !== 'emotion' && r.meta.head !== 'strategy') || typeof r.meta.gold !== 'string') {
            throw new PluginError(`evaluators/classification: row ${i + 1} (prompt_id ${r.prompt_id}) needs meta.head (emotion | strategy) and meta.gold, with the predicted label as the response`, 'rescore an export written by evaluators/classification');
          }
        });
        return report(rows, []);
      },
    };
  },
});
