/**
 * One row of TRL's preference format → a `preference` example. TRL datasets come in two shapes:
 * - explicit prompt: `prompt` (a string, or a message list) with `chosen` and `rejected` replies
 *   (strings, or message lists ending with the assistant's reply);
 * - implicit prompt: no `prompt` column; `chosen` and `rejected` are whole conversations whose
 *   shared leading messages are the prompt (TRL's `extract_prompt`) and whose last message is
 *   each reply.
 * Optional `score_chosen` / `score_rejected` (UltraFeedback) give the pair's margin. A row that
 * fits neither shape is reported with its file, row and field; it never becomes a guess.
 */
import type { CanonicalExample, Message } from '../example.js';
import { roleSchema } from '../example.js';
import type { RowIssueCollector } from '../row-issues.js';

export interface PreferenceRowContext {
  readonly source: string;
  readonly split: string;
  readonly file: string;
  readonly row: number;
  readonly issues: RowIssueCollector;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export function messageList(value: unknown, field: string): Parsed<Message[]> {
  if (!Array.isArray(value)) return { ok: false, reason: `'${field}' must be a string or a list of {role, content} messages, got ${value === null ? 'null' : typeof value}` };
  const out: Message[] = [];
  for (const [i, m] of value.entries()) {
    const role = roleSchema.safeParse((m as { role?: unknown } | null)?.role);
    const content = (m as { content?: unknown } | null)?.content;
    if (!role.success || typeof content !== 'string') {
      return { ok: false, reason: `'${field}' message ${i} must be {role: system|user|assistant, content: string}, got ${JSON.stringify(m)?.slice(0, 80)}` };
    }
    out.push({ role: role.data, content });
  }
  return { ok: true, value: out };
}

const sameMessage = (a: Message, b: Message): boolean => a.role === b.role && a.content === b.content;

/** A reply column: a string, or a message list whose last message is the assistant's (earlier ones must match the prompt). */
function reply(value: unknown, field: string): Parsed<{ text: string; before: Message[] }> {
  if (typeof value === 'string') return { ok: true, value: { text: value, before: [] } };
  const list = messageList(value, field);
  if (!list.ok) return list;
  const last = list.value.at(-1);
  if (!last || last.role !== 'assistant') return { ok: false, reason: `'${field}' must end with an assistant message, ${last ? `ends with a ${last.role} one` : 'is empty'}` };
  return { ok: true, value: { text: last.content, before: list.value.slice(0, -1) } };
}

export function preferenceFromRow(record: Readonly<Record<string, unknown>>, context: PreferenceRowContext): CanonicalExample | null {
  const fail = (field: string, reason: string): null => {
    context.issues.report({ file: context.file, row: context.row, field, reason });
    return null;
  };
  for (const field of ['chosen', 'rejected']) if (record[field] === undefined || record[field] === null) return fail(field, `missing '${field}' (TRL preference rows have prompt, chosen, rejected)`);
  const chosen = reply(record.chosen, 'chosen');
  if (!chosen.ok) return fail('chosen', chosen.reason);
  const rejected = reply(record.rejected, 'rejected');
  if (!rejected.ok) return fail('rejected', rejected.reason);

  let prompt: Message[];
  if (record.prompt === undefined || record.prompt === null) {
    // Implicit prompt: the messages both conversations share before their replies.
    const a = chosen.value.before;
    const b = rejected.value.before;
    if (a.length === 0 || a.length !== b.length || !a.every((m, i) => sameMessage(m, b[i]!))) {
      return fail('prompt', "no 'prompt' column, and 'chosen' and 'rejected' are not two conversations that share their messages before the final assistant reply");
    }
    prompt = a;
  } else if (typeof record.prompt === 'string') {
    prompt = [{ role: 'user', content: record.prompt }];
  } else {
    const list = messageList(record.prompt, 'prompt');
    if (!list.ok) return fail('prompt', list.reason);
    prompt = list.value;
  }
  if (prompt.length === 0 || prompt.at(-1)!.role === 'assistant') return fail('prompt', `the prompt must end with a user (or system) message, ${prompt.length ? 'ends with an assistant one' : 'is empty'}`);
  if (record.prompt !== undefined && record.prompt !== null) {
    for (const [field, side] of [['chosen', chosen.value], ['rejected', rejected.value]] as const) {
      if (side.before.length > 0 && !(side.before.length === prompt.length && side.before.every((m, i) => sameMessage(m, prompt[i]!)))) {
        return fail(field, `'${field}' repeats messages before its reply that differ from 'prompt'`);
      }
    }
  }
  if (chosen.value.text.trim() === '' || rejected.value.text.trim() === '') return fail(chosen.value.text.trim() === '' ? 'chosen' : 'rejected', 'empty reply');
  const sc = record.score_chosen;
  const sr = record.score_rejected;
  const margin = typeof sc === 'number' && typeof sr === 'number' ? sc - sr : undefined;
  return {
    id: `${context.source}:${context.split}:${context.row}`,
    kind: 'preference',
    messages: prompt,
    labels: {},
    preference: { chosen: chosen.value.text, rejected: rejected.value.text, ...(margin !== undefined ? { margin } : {}) },
    metadata: {},
    provenance: { source: context.source, split: context.split, file: context.file, row: context.row },
  };
}
