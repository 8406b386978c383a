/**
 * Completions to score from a .jsonl file, one per line:
 *   { "prompt": "…" | [{role, content}…], "completion": "…", "answer"?: "…" | null,
 *     "reference"?: "…", "group"?: 0, "tokenIds"?: [1, 2, …] }
 * `reference` becomes the example's final assistant turn (what reference-based rewards read);
 * without `group`, rows with the same prompt form one group, as GRPO's G samples of a prompt do.
 */
import { describeZodIssue } from '../../base/zod-issue.js';
import { z } from 'zod';
import { AttuneError } from '../../base/errors.js';
import { readJsonlFile } from '../../base/jsonl-file.js';
import type { CanonicalExample, Message } from '../../kernel/extension-points/example.js';
import type { RewardBatch } from '../../kernel/extension-points/reward.js';

const message = z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: z.string() });
const row = z.strictObject({
  prompt: z.union([z.string().min(1), z.array(message).min(1)]),
  completion: z.string(),
  answer: z.string().nullable().optional(),
  reference: z.string().optional(),
  group: z.number().int().min(0).optional(),
  tokenIds: z.array(z.number().int().min(0)).optional(),
});

export async function readCompletionsFile(file: string, tokenize?: (text: string) => number[]): Promise<RewardBatch> {
  const prompts: Message[][] = [];
  const completions: RewardBatch['completions'][number][] = [];
  const examples: CanonicalExample[] = [];
  const explicitGroups: (number | undefined)[] = [];
  for (const { line, value } of await readJsonlFile(file)) {
    const parsed = row.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new AttuneError(`${file}:${line}: key '${issue.path.join('.') || '(row)'}': ${describeZodIssue(issue)}`, 'each line: {"prompt": "…" or messages, "completion": "…", optional "answer", "reference", "group", "tokenIds"}');
    }
    const r = parsed.data;
    const prompt: Message[] = typeof r.prompt === 'string' ? [{ role: 'user', content: r.prompt }] : r.prompt;
    prompts.push(prompt);
    completions.push({ text: r.completion, tokenIds: r.tokenIds ?? tokenize?.(r.completion) ?? [], ...(r.answer !== undefined ? { answer: r.answer } : {}) });
    examples.push({
      id: `${file}:${line}`,
      kind: 'dialogue',
      messages: r.reference !== undefined ? [...prompt, { role: 'assistant', content: r.reference }] : prompt,
      labels: {},
      metadata: {},
      provenance: { source: 'completions', split: 'score', file, row: line },
    });
    explicitGroups.push(r.group);
  }
  const missing = explicitGroups.findIndex((g) => g === undefined);
  if (missing >= 0 && explicitGroups.some((g) => g !== undefined)) {
    throw new AttuneError(`${file}: some rows give "group" and others (the first: row ${examples[missing]!.provenance.row}) do not`, 'give a group on every row, or on none (rows with the same prompt then form a group)');
  }
  const byPrompt = new Map<string, number>();
  const groups = explicitGroups.map((g, i) => {
    if (g !== undefined) return g;
    const key = JSON.stringify(prompts[i]);
    if (!byPrompt.has(key)) byPrompt.set(key, byPrompt.size);
    return byPrompt.get(key)!;
  });
  return { prompts, completions, examples, groups };
}
