/**
 * Evaluator `nlg`: replies to a dataset's held-out conversations (a source's test split by
 * default) through the subject's decoding policy, scored against the data's own reply: corpus
 * BLEU-1…4, ROUGE-L (β = 1.2), Distinct-1/2 and lengths. `rescore` reads `meta.reference`.
 */
import { z } from 'zod';
import { defineItem, itemRef, PluginError } from 'attune';
import type { EvaluationReport, Evaluator, Message, ResponseRow } from 'attune';
import { corpusBleu, distinct, rougeL, tokenize } from './metrics.js';

const options = z.strictObject({
  source: itemRef('sources', 'the conversations to reply to').describe('e.g. sources/esconv; its replies are the references'),
  split: z.string().min(1).default('test').describe('the split to read'),
  limit: z.number().int().positive().default(100).describe('conversations scored (the first N usable ones)'),
  batchSize: z.number().int().positive().default(8).describe('conversations answered together'),
});

interface Case {
  readonly id: string;
  readonly messages: Message[];
  readonly reference: string;
}

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
    if (!env.create) throw new PluginError('evaluators/nlg: needs the kernel to build its source', 'create it through a config or Kernel.create');
    const source = await env.create(o.source);
    if (!source.splits.includes(o.split)) throw new PluginError(`evaluators/nlg: ${o.source.use} has no split '${o.split}' (it has ${source.splits.join(', ')})`, 'set split to one of those');
    const cases = async (): Promise<Case[]> => {
      const { examples } = await source.load({ split: o.split });
      const out: Case[] = [];
      for (const e of examples) {
        if (out.length >= o.limit) break;
        const last = e.messages.map((m) => m.role).lastIndexOf('assistant');
        if (e.kind !== 'dialogue' || last < 1 || e.messages[last - 1]!.role !== 'user') continue;
        out.push({ id: e.id, messages: e.messages.slice(0, last).map((m) => ({ ...m })), reference: e.messages[last]!.content });
      }
      if (out.length === 0) throw new PluginError(`evaluators/nlg: ${o.source.use} split '${o.split}' has no conversation ending with a user turn and a reply`, 'pick a dialogue source');
      return out;
    };
    const report = (rows: readonly ResponseRow[], references: readonly string[]): EvaluationReport => ({ metrics: nlgMetrics(rows.map((r) => r.response), references), items: [...rows] });
    return {
      evaluate: async (subject) => {
        const all = await cases();
        const rows: ResponseRow[] = [];
        for (let start = 0; start < all.length; start += o.batchSize) {
          const batch = all.slice(start, start + o.batchSize);
          const replies = await subject.policy.respond(batch.map((c) => c.messages), subject.generator);
          batch.forEach((c, k) => {
            rows.push({
              prompt_id: c.id,
              prompt: c.messages.at(-1)!.content,
              model: subject.label,
              response: replies[k]!.reply,
              meta: { reference: c.reference, source: o.source.use, split: o.split, conversation: c.messages },
              decoding: { evaluator: 'evaluators/nlg' },
              intervention: replies[k]!.intervention ?? null,
            });
          });
        }
        return report(rows, all.map((c) => c.reference));
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
