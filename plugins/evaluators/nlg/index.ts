/**
 * Evaluator `nlg`: replies to a dataset's held-out conversations (a source's test split by
 * default) through the subject's decoding policy, scored against the data's own reply: corpus
 * BLEU-1…4, ROUGE-L (β = 1.2), Distinct-1/2 and lengths. `rescore` reads `meta.reference`.
 */
import { z } from 'zod';
import { defineItem, itemRef, PluginError } from 'attune';
import type { EvaluationReport, Evaluator, ResponseRow } from 'attune';
import { answerHeldOut, heldOutCases, openHeldOutSource } from '../held-out-replies.js';
import { corpusBleu, distinct, rougeL, tokenize } from './metrics.js';

const options = z.strictObject({
  source: itemRef('sources', 'the conversations to reply to').describe('e.g. sources/esconv; its replies are the references'),
  split: z.string().min(1).default('test').describe('the split to read'),
  limit: z.number().int().positive().default(100).describe('conversations scored (the first N usable ones)'),
  batchSize: z.number().int().positive().default(8).describe('conversations answered together'),
});

export function nlgMetrics(responses: readonly string[], references: readonly string[]): Record<string, number> {
  const hyps = responses.map(tokenize);
  const refs = references.map((r) => [tokenize(r)]);
  const metrics: Record<string, number> = {};
  for (let n = 1; n <= 4; n++) metrics[`nlg.bleu_${n}`] = corpusBleu(hyps, refs, n).bleu;
  metrics['nlg.rouge_l'] = hyps.reduce((s, h, i) => s + rougeL(h, refs[i]!), 0) / Math.max(1, hyps.length);
  metrics['nlg.distinct_1'] = distinct(hyps, 1);
  metrics['nlg.distinct_2'] = distinct(hyps, 2);
  metrics['nlg.mean_length'] = hyps.reduce((s, h) => s + h.length, 0) / Math.max(1, hyps.length);
  metrics['nlg.reference_mean_length'] = refs.reduce((s, r) => s + r[0]!.length, 0) / Math.max(1, refs.length);
  metrics['nlg.responses'] = hyps.length;
  return metrics;
}

export const nlgEvaluator = defineItem({
  description: "replies to a dataset's held-out conversations against the data's own reply: BLEU-1…4, ROUGE-L, Distinct-1/2, lengths",
  options,
  create: async (o, env): Promise<Evaluator> => {
    const source = await openHeldOutSource('evaluators/nlg', env, o.source, o.split);
    const report = (rows: readonly ResponseRow[], references: readonly string[]): EvaluationReport => ({ metrics: nlgMetrics(rows.map((r) => r.response), references), items: [...rows] });
    return {
      evaluate: async (subject) => {
        const cases = await heldOutCases('evaluators/nlg', source, o.source, o.split, o.limit);
        const rows = await answerHeldOut('evaluators/nlg', subject, cases, o.batchSize, { source: o.source.use, split: o.split });
        return report(rows, rows.map((r) => r.meta.reference as string));
      },
      rescore: async (rows) => {
        const references = rows.map((r, i) => {
          const ref = r.meta?.reference;
          if (typeof ref !== 'string') throw new PluginError(`evaluators/nlg: row ${i + 1} (prompt_id ${r.prompt_id}) has no meta.reference`, 'rescore an export written by evaluators/nlg, or add the reference reply as meta.reference');
          return ref;
        });
        return report(rows, references);
      },
    };
  },
});
