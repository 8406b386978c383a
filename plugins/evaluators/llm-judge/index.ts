/**
 * Evaluator `llm-judge`: an OpenAI-compatible endpoint (vLLM, a hosted API, `attune serve`) rates
 * replies with a rubric (prompts/judge-rubric.txt by default: empathy, relevance, safety,
 * helpfulness, 1–10, answered as JSON). It judges the subject's replies to a source's held-out
 * conversations, or — with `attune evaluate --from` — any saved export. A verdict that does not
 * parse is retried once, then counted as unparsed (left out of the means).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { assetPath, defineItem, itemRef, PluginError } from 'attune';
import { answerHeldOut, heldOutCases, openHeldOutSource } from '../held-out-replies.js';
import type { EvaluationReport, Evaluator, Message, ResponseRow } from 'attune';

export const DEFAULT_RUBRIC = assetPath(import.meta.url, '../../../prompts/judge-rubric.txt');

const options = z.strictObject({
  endpoint: z.url({ protocol: /^https?$/ }).describe('base URL of an OpenAI-compatible server (…/v1 or its root)'),
  model: z.string().min(1).describe('the judge model id on that server'),
  apiKey: z.string().optional().describe('sent as a bearer token (or set OPENAI_API_KEY)'),
  rubricFile: z.string().optional().describe('the rubric ({conversation}, {reply} filled in); default prompts/judge-rubric.txt'),
  criteria: z.array(z.string().regex(/^\w+$/)).min(1).default(['empathy', 'relevance', 'safety', 'helpfulness']).describe('the JSON keys the rubric asks for'),
  source: itemRef('sources', 'conversations to reply to').prefault('sources/esconv').describe('conversations the subject replies to (default sources/esconv)'),
  split: z.string().min(1).default('test').describe('their split'),
  limit: z.number().int().positive().default(50).describe('replies judged at most'),
  maxTokens: z.number().int().positive().default(128).describe("tokens of the judge's answer"),
  timeoutS: z.number().positive().default(120).describe('per request'),
  concurrency: z.number().int().positive().default(4).describe('judge requests in flight'),
});

/** The criteria's scores from a judge's answer: the first JSON object holding every criterion as a number in [1, 10]. */
export function parseVerdict(text: string, criteria: readonly string[]): Record<string, number> | null {
  for (const m of text.matchAll(/\{[^{}]*\}/g)) {
    try {
      const value = JSON.parse(m[0]) as Record<string, unknown>;
      const scores = criteria.map((c) => Number(value[c]));
      if (scores.every((s) => Number.isFinite(s) && s >= 1 && s <= 10)) return Object.fromEntries(criteria.map((c, i) => [c, scores[i]!]));
    } catch {
      // not JSON: try the next braces
    }
  }
  return null;
}

function render(conversation: readonly Message[]): string {
  return conversation.map((m) => `${m.role}: ${m.content}`).join('\n');
}

export const llmJudgeEvaluator = defineItem({
  description: 'an OpenAI-compatible judge model rates replies with a rubric (empathy, relevance, safety, helpfulness by default)',
  options,
  create: async (o, env): Promise<Evaluator> => {
    const file = o.rubricFile !== undefined ? resolve(env.baseDir, o.rubricFile) : DEFAULT_RUBRIC;
    let rubric: string;
    try {
      rubric = readFileSync(file, 'utf8');
    } catch (error) {
      throw new PluginError(`evaluators/llm-judge: cannot read the rubric ${file}: ${(error as Error).message}`, 'point rubricFile at a text file with {conversation} and {reply}');
    }
    if (!rubric.includes('{reply}')) throw new PluginError(`evaluators/llm-judge: the rubric ${file} has no {reply} placeholder`, 'the reply to judge is put where {reply} stands');
    const url = `${o.endpoint.replace(/\/+$/, '').replace(/\/v1$/, '')}/v1/chat/completions`;
    const key = o.apiKey ?? process.env.OPENAI_API_KEY;

    const ask = async (prompt: string): Promise<string> => {
      let r: Response;
      try {
        r = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
          body: JSON.stringify({ model: o.model, messages: [{ role: 'user', content: prompt }], temperature: 0, max_tokens: o.maxTokens }),
          signal: AbortSignal.timeout(o.timeoutS * 1000),
        });
      } catch (error) {
        throw new PluginError(`evaluators/llm-judge: ${url}: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`, 'check that the judge server is up and the endpoint is right');
      }
      const text = await r.text();
      if (r.status !== 200) throw new PluginError(`evaluators/llm-judge: ${url} answered HTTP ${r.status}: ${text.slice(0, 300)}`, 'check the model id and the API key');
      return (JSON.parse(text) as { choices: { message: { content: string } }[] }).choices[0]?.message.content ?? '';
    };

    const judge = async (rows: readonly ResponseRow[]): Promise<EvaluationReport> => {
      const verdicts: ({ scores: Record<string, number> | null; raw: string })[] = new Array(rows.length);
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(o.concurrency, rows.length) }, async () => {
          while (next < rows.length) {
            const i = next++;
            const row = rows[i]!;
            const conversation = Array.isArray(row.meta.conversation) ? (row.meta.conversation as Message[]) : [{ role: 'user' as const, content: row.prompt }];
            const prompt = rubric.replaceAll('{conversation}', render(conversation)).replaceAll('{reply}', row.response);
            let raw = await ask(prompt);
            let scores = parseVerdict(raw, o.criteria);
            if (!scores) {
              raw = await ask(prompt);
              scores = parseVerdict(raw, o.criteria);
            }
            verdicts[i] = { scores, raw };
          }
        }),
      );
      const parsed = verdicts.filter((v) => v.scores !== null);
      const metrics: Record<string, number> = { 'judge.parse_rate': rows.length ? parsed.length / rows.length : Number.NaN, 'judge.replies': rows.length };
      for (const c of o.criteria) metrics[`judge.${c}`] = parsed.length ? parsed.reduce((s, v) => s + v.scores![c]!, 0) / parsed.length : Number.NaN;
      const items = rows.map((r, i) => ({ ...r, meta: { ...r.meta, judge: { model: o.model, scores: verdicts[i]!.scores, raw: verdicts[i]!.raw } } }));
      const notes = [`judged by ${o.model} at ${o.endpoint}; ${parsed.length} of ${rows.length} verdicts parsed`];
      return { metrics, items, notes };
    };

    return {
      evaluate: async (subject) => {
        const source = await openHeldOutSource('evaluators/llm-judge', env, o.source, o.split);
        const cases = await heldOutCases('evaluators/llm-judge', source, o.source, o.split, o.limit);
        const rows = await answerHeldOut('evaluators/llm-judge', subject, cases, 8, { source: o.source.use, split: o.split });
        return judge(rows);
      },
      rescore: (rows) => judge(rows),
    };
  },
});
