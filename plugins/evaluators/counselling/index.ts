/**
 * Evaluator `counselling`: replies to held-out counselling conversations (AnnoMI's test split by
 * default) through the subject's decoding policy, described with motivational-interviewing
 * measures — the share of replies with an open or closed question, a simple or complex
 * reflection, an affirmation, a summary; the reflection-to-question ratio; the share of complex
 * reflections (MITI's summary scores) — by the rule-based tagger in mi-tagger.ts, and an empathy
 * score by a reward (the embedded empathy regressor by default; null to skip).
 */
import { z } from 'zod';
import { defineItem, itemRef } from 'attune';
import type { CanonicalExample, EvaluationReport, Evaluator, Message, Reward, ResponseRow } from 'attune';
import { answerHeldOut, heldOutCases, openHeldOutSource } from '../held-out-replies.js';
import { tagUtterance } from './mi-tagger.js';
import type { MiTags } from './mi-tagger.js';

const options = z.strictObject({
  source: itemRef('sources', 'counselling conversations').prefault('sources/annomi').describe('the conversations to reply to (default sources/annomi)'),
  split: z.string().min(1).default('test').describe('its split'),
  limit: z.number().int().positive().default(100).describe('conversations answered at most'),
  empathy: itemRef('rewards', 'an empathy score of each reply')
    .nullable()
    .prefault({ use: 'rewards/empathy', options: { model: 'attune-empathy-tiny', range: [0, 5] } })
    .describe('a reward that scores each reply in [0, 1] (null: no empathy score)'),
  batchSize: z.number().int().positive().default(8).describe('conversations answered together'),
});

export function counsellingMetrics(tags: readonly MiTags[]): Record<string, number> {
  const n = Math.max(1, tags.length);
  const share = (f: (t: MiTags) => boolean) => tags.filter(f).length / n;
  const sum = (f: (t: MiTags) => number) => tags.reduce((s, t) => s + f(t), 0);
  const questions = sum((t) => t.openQuestions + t.closedQuestions);
  const reflections = sum((t) => t.simpleReflections + t.complexReflections);
  return {
    'counselling.open_question_rate': share((t) => t.openQuestions > 0),
    'counselling.closed_question_rate': share((t) => t.closedQuestions > 0),
    'counselling.simple_reflection_rate': share((t) => t.simpleReflections > 0),
    'counselling.complex_reflection_rate': share((t) => t.complexReflections > 0),
    'counselling.affirmation_rate': share((t) => t.affirmations > 0),
    'counselling.summary_rate': share((t) => t.summaries > 0),
    'counselling.input_rate': share((t) => t.inputs > 0),
    // MITI: reflections per question, and the complex share of reflections.
    'counselling.reflection_to_question': questions === 0 ? Number.NaN : reflections / questions,
    'counselling.percent_complex_reflections': reflections === 0 ? Number.NaN : sum((t) => t.complexReflections) / reflections,
    'counselling.percent_open_questions': questions === 0 ? Number.NaN : sum((t) => t.openQuestions) / questions,
    'counselling.replies': tags.length,
  };
}

export const counsellingEvaluator = defineItem({
  description: 'motivational-interviewing measures of replies to counselling conversations (questions, reflections, affirmations, summaries, R:Q) and an empathy score',
  options,
  create: async (o, env): Promise<Evaluator> => {
    const source = await openHeldOutSource('evaluators/counselling', env, o.source, o.split);
    // openHeldOutSource has checked that the kernel builds items here.
    const empathy: Reward | null = o.empathy ? await env.create!(o.empathy) : null;

    const report = async (rows: readonly ResponseRow[], examples: readonly CanonicalExample[] | null): Promise<EvaluationReport> => {
      const tags = rows.map((r) => tagUtterance(r.response));
      const metrics = counsellingMetrics(tags);
      let scores: (number | null)[] = rows.map(() => null);
      if (empathy && rows.length > 0) {
        const prompts = rows.map((r) => (Array.isArray(r.meta.conversation) ? (r.meta.conversation as Message[]) : [{ role: 'user' as const, content: r.prompt }]));
        // Rescoring an export has no source examples: each row stands for its own.
        const stand = examples ?? rows.map((r, i) => ({ id: r.prompt_id, kind: 'dialogue' as const, messages: prompts[i]!, labels: {}, metadata: {}, provenance: { source: 'export', split: 'export', file: 'export', row: i + 1 } }));
        scores = await empathy.score({ prompts, completions: rows.map((r) => ({ text: r.response, tokenIds: [] })), examples: stand, groups: rows.map((_, i) => i) });
        const counted = scores.filter((s): s is number => s !== null);
        metrics['counselling.empathy'] = counted.length ? counted.reduce((a, b) => a + b, 0) / counted.length : Number.NaN;
      }
      const items = rows.map((r, i) => ({ ...r, meta: { ...r.meta, mi: tags[i], ...(empathy ? { empathy: scores[i] ?? null } : {}) } }));
      return { metrics, items };
    };

    return {
      evaluate: async (subject) => {
        const cases = await heldOutCases('evaluators/counselling', source, o.source, o.split, o.limit);
        const rows = await answerHeldOut('evaluators/counselling', subject, cases, o.batchSize, { source: o.source.use, split: o.split });
        return report(rows, cases);
      },
      rescore: (rows) => report(rows, null),
      dispose: async () => {
        await empathy?.dispose?.();
      },
    };
  },
});
