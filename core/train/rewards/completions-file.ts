/**
 * Completions to score from a .jsonl file, one per line:
 *   { "prompt": "…" | [{role, content}…], "completion": "…", "answer"?: "…" | null,
 *     "reference"?: "…", "group"?: 0, "tokenIds"?: [1, 2, …] }
 * `reference` becomes the example's final assistant turn (what reference-based rewards read);
 * without `group`, rows with the same prompt form one group, as GRPO's G samples of a prompt do.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { AttuneError } from '../../base/errors.js';
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
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    throw new AttuneError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const prompts: Message[][] = [];
  const completions: RewardBatch['completions'][number][] = [];
  const examples: CanonicalExample[] = [];
  const explicitGroups: (number | undefined)[] = [];
  content.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new AttuneError(`${where}: not valid JSON (${(error as Error).message})`);
    }
    const parsed = row.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new AttuneError(`${where}: key '${issue.path.join('.') || '(row)'}': ${issue.message}`, 'each line: {"prompt": "…" or messages, "completion": "…", optional "answer", "reference", "group", "tokenIds"}');
    }
    const r = parsed.data;
    const prompt: Message[] = typeof r.prompt === 'string' ? [{ role: 'user', content: r.prompt }] : r.prompt;
    prompts.push(prompt);
    completions.push({ text: r.completion, tokenIds: r.tokenIds ?? tokenize?.(r.completion) ?? [], ...(r.answer !== undefined ? { answer: r.answer } : {}) });
    examples.push({
      id: `${file}:${i + 1}`,
      kind: 'dialogue',
      messages: r.reference !== undefined ? [...prompt, { role: 'assistant', content: r.reference }] : prompt,
      labels: {},
      metadata: {},
      provenance: { source: 'completions', split: 'score', file, row: i + 1 },
    });
    explicitGroups.push(r.group);
  });
  if (completions.length === 0) throw new AttuneError(`${file}: no rows (the file is empty or has only blank lines)`);
  const missing = explicitGroups.findIndex((g) => g === undefined);
  if (missing >= 0 && explicitGroups.some((g) => g !== undefined)) {
    throw new AttuneError(`${file}: some rows give "group" and others (the first: row ${examples[missing]!.provenance.row}) do not`, 'give a group on every row, or on none (rows with the same prompt then form a group)');
  }
  const byPrompt = new Map<string, number>();
  const groups = explicitGroups.map((g, i) => g ?? byPrompt.get(JSON.stringify(prompts[i])) ?? byPrompt.set(JSON.stringify(prompts[i]), byPrompt.size).get(JSON.stringify(prompts[i]))!);
  return { prompts, completions, examples, groups };
}
