/**
 * One row of a dataset in TRL's formats → a canonical example:
 * - conversational: `messages` (a list of {role, content}) — a dialogue whose last message is
 *   the assistant's reply (or, with no assistant message at all, a prompt-only example);
 * - prompt-completion: `prompt` and `completion`, each a string or a message list;
 * - preference: `prompt`, `chosen`, `rejected` (preferenceFromRow);
 * - prompt-only: `prompt` alone.
 * `auto` picks the format from the row's columns. Label columns named by the config become the
 * example's labels (emotion with its taxonomy, strategy, scores). A row that fits no format is
 * reported with its file, row and field, and the columns it has.
 */
import type { CanonicalExample, Message } from '../example.js';
import { messageList, preferenceFromRow } from './trl-preference-row.js';
import type { PreferenceRowContext } from './trl-preference-row.js';

export type TrlFormat = 'auto' | 'conversational' | 'prompt-completion' | 'preference' | 'prompt-only';

export interface LabelColumns {
  /** A column holding an emotion label, and the label set it belongs to. */
  readonly emotion?: { readonly column: string; readonly taxonomy: string };
  /** A column holding an ESConv-style support strategy. */
  readonly strategy?: string;
  /** Numeric columns kept as `scores.<name>`. */
  readonly scores?: readonly string[];
}

export function detectFormat(record: Readonly<Record<string, unknown>>): Exclude<TrlFormat, 'auto'> | null {
  const has = (k: string) => record[k] !== undefined && record[k] !== null;
  if (has('chosen') && has('rejected')) return 'preference';
  if (has('messages')) return 'conversational';
  if (has('prompt') && has('completion')) return 'prompt-completion';
  if (has('prompt')) return 'prompt-only';
  return null;
}

function asMessages(value: unknown, field: string, role: 'user' | 'assistant'): { ok: true; value: Message[] } | { ok: false; reason: string } {
  if (typeof value === 'string') return { ok: true, value: [{ role, content: value }] };
  return messageList(value, field);
}

export function exampleFromTrlRow(record: Readonly<Record<string, unknown>>, format: TrlFormat, labels: LabelColumns, context: PreferenceRowContext): CanonicalExample | null {
  const fail = (field: string, reason: string): null => {
    context.issues.report({ file: context.file, row: context.row, field, reason });
    return null;
  };
  const kind = format === 'auto' ? detectFormat(record) : format;
  if (kind === null) {
    const columns = Object.keys(record).slice(0, 12).join(', ') || 'none';
    return fail('(row)', `fits none of TRL's formats: expected messages, prompt + completion, prompt + chosen + rejected, or prompt (the row has ${columns})`);
  }
  if (kind === 'preference') return preferenceFromRow(record, context);

  let messages: Message[];
  if (kind === 'conversational') {
    if (record.messages === undefined || record.messages === null) return fail('messages', "missing 'messages' (conversational rows are {messages: [{role, content}, …]})");
    const list = messageList(record.messages, 'messages');
    if (!list.ok) return fail('messages', list.reason);
    messages = list.value;
  } else {
    if (typeof record.prompt !== 'string' && !Array.isArray(record.prompt)) return fail('prompt', `missing 'prompt' (a string or a message list)`);
    const prompt = asMessages(record.prompt, 'prompt', 'user');
    if (!prompt.ok) return fail('prompt', prompt.reason);
    messages = prompt.value;
    if (kind === 'prompt-completion') {
      if (record.completion === undefined || record.completion === null) return fail('completion', "missing 'completion' (a string or a message list)");
      const completion = asMessages(record.completion, 'completion', 'assistant');
      if (!completion.ok) return fail('completion', completion.reason);
      if (completion.value.at(-1)?.role !== 'assistant') return fail('completion', "'completion' must end with an assistant message");
      messages = [...messages, ...completion.value];
    }
  }
  if (messages.length === 0) return fail(kind === 'conversational' ? 'messages' : 'prompt', 'empty conversation');
  const last = messages.at(-1)!;
  const dialogue = last.role === 'assistant';
  if (dialogue && last.content.trim() === '') return fail(kind === 'conversational' ? 'messages' : 'completion', 'empty assistant reply');
  if (dialogue && !messages.some((m) => m.role === 'user')) return fail(kind === 'conversational' ? 'messages' : 'prompt', 'no user message before the reply');
  if (!dialogue && messages.some((m) => m.role === 'assistant') && kind === 'conversational') {
    return fail('messages', `the conversation ends with a ${last.role} message; a training example ends with the assistant's reply (a prompt has no assistant message)`);
  }

  const out: { emotion?: { taxonomy: string; label: string }; strategy?: string; scores?: Record<string, number> } = {};
  if (labels.emotion) {
    const value = record[labels.emotion.column];
    if (value !== undefined && value !== null && value !== '') {
      if (typeof value !== 'string') return fail(labels.emotion.column, `the emotion label must be a string, got ${typeof value}`);
      out.emotion = { taxonomy: labels.emotion.taxonomy, label: value };
    }
  }
  if (labels.strategy) {
    const value = record[labels.strategy];
    if (value !== undefined && value !== null && value !== '') {
      if (typeof value !== 'string') return fail(labels.strategy, `the strategy label must be a string, got ${typeof value}`);
      out.strategy = value;
    }
  }
  if (labels.scores?.length) {
    const scores: Record<string, number> = {};
    for (const column of labels.scores) {
      const value = typeof record[column] === 'string' ? Number(record[column]) : record[column];
      if (value === undefined || value === null || record[column] === '') continue;
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail(column, `a score must be a number, got ${JSON.stringify(record[column])}`);
      scores[column] = value;
    }
    if (Object.keys(scores).length) out.scores = scores;
  }
  return {
    id: `${context.source}:${context.split}:${context.row}`,
    kind: dialogue ? 'dialogue' : 'prompt-only',
    messages,
    labels: out,
    metadata: {},
    provenance: { source: context.source, split: context.split, file: context.file, row: context.row },
  };
}
