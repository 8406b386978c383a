/**
 * Prompts for `attune respond`: a .jsonl file whose rows hold `prompt` (one user message) or
 * `messages` (a conversation ending with a user turn), with an optional `prompt_id` (or `id`),
 * `system` and `meta`. Each bad row is an error naming the file, line and key.
 */
import { describeZodIssue } from '../base/zod-issue.js';
import { z } from 'zod';
import { AttuneError } from '../base/errors.js';
import { readJsonlFile } from '../base/jsonl-file.js';
import type { Message } from '../kernel/extension-points/example.js';

export interface PromptRow {
  readonly promptId: string;
  readonly messages: Message[];
  readonly meta: Record<string, unknown>;
}

const message = z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: z.string() });
const row = z
  .object({
    prompt_id: z.union([z.string().min(1), z.number()]).optional(),
    id: z.union([z.string().min(1), z.number()]).optional(),
    prompt: z.string().optional(),
    messages: z.array(message).min(1).optional(),
    system: z.string().optional(),
    meta: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough();

/** A conversation a policy can answer: non-empty, ending with a non-empty user turn. */
export function checkConversation(messages: readonly Message[], where: string): string | undefined {
  if (messages.length === 0) return `${where}: the conversation is empty`;
  const last = messages.at(-1)!;
  if (last.role !== 'user') return `${where}: the last message is from ${last.role}; a reply needs the user's turn last`;
  if (last.content.trim() === '') return `${where}: the last user message is empty`;
  return undefined;
}

export function promptRow(value: unknown, where: string, fallbackId: string): PromptRow {
  const parsed = row.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AttuneError(`${where}, key ${issue.path.join('.') || '(row)'}: ${describeZodIssue(issue)}`, 'rows are {"prompt_id": …, "prompt": "…"} or {"prompt_id": …, "messages": [{"role": "user", "content": "…"}]}');
  }
  const r = parsed.data;
  if ((r.prompt === undefined) === (r.messages === undefined)) {
    throw new AttuneError(`${where}: give exactly one of "prompt" (a user message) and "messages" (a conversation)`, r.prompt === undefined ? 'add "prompt": "…"' : 'keep one of the two keys');
  }
  const messages: Message[] = r.messages ? r.messages.map((m) => ({ ...m })) : [{ role: 'user', content: r.prompt! }];
  if (r.system !== undefined) messages.unshift({ role: 'system', content: r.system });
  const problem = checkConversation(messages, where);
  if (problem) throw new AttuneError(problem, 'end each row with the user message to answer');
  const id = r.prompt_id ?? r.id;
  return { promptId: id === undefined ? fallbackId : String(id), messages, meta: { ...(r.meta ?? {}) } };
}

export async function readPromptRows(file: string): Promise<PromptRow[]> {
  const rows = await readJsonlFile(file, 'prompts');
  const out = rows.map((r, i) => promptRow(r.value, `${file}:${r.line}`, String(i)));
  const seen = new Map<string, number>();
  out.forEach((r, i) => {
    const first = seen.get(r.promptId);
    if (first !== undefined) throw new AttuneError(`${file}:${rows[i]!.line}: prompt_id "${r.promptId}" repeats line ${rows[first]!.line}`, 'give each row its own prompt_id');
    seen.set(r.promptId, i);
  });
  return out;
}
