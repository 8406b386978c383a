/**
 * Relevance rows for a cross-encoder: (user turn, the reply that answered it) is relevant (1); the
 * same user turn with a reply drawn from another conversation is not (0). Negatives come from a
 * seeded stream keyed by the example id over the turns in id order, so a row's negatives do not
 * depend on the input order or on the other rows' draws; a reply is never paired against its own conversation.
 */
import { seedWords, Xoshiro128 } from '../../base/rng.js';
import type { CanonicalExample } from '../example.js';
import { lastUserContent } from './example-text.js';
import type { PointRow, RewardRows } from './rows.js';

export interface RelevanceOptions {
  /** Negatives per positive (default 1). */
  readonly negatives?: number;
  readonly seed?: number;
}

interface Turn {
  readonly example: CanonicalExample;
  readonly user: string;
  readonly reply: string;
  readonly conversation: string;
}

function hashWords(text: string): number[] {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return [h, text.length];
}

export function relevanceRows(examples: readonly CanonicalExample[], options: RelevanceOptions = {}): RewardRows {
  const negatives = options.negatives ?? 1;
  const turns: Turn[] = [];
  let skipped = 0;
  for (const example of examples) {
    const reply = example.messages.at(-1);
    const user = lastUserContent(example.messages.slice(0, -1));
    if (example.kind !== 'dialogue' || reply?.role !== 'assistant' || user === undefined) {
      skipped++;
      continue;
    }
    turns.push({ example, user, reply: reply.content, conversation: `${example.provenance.source}:${example.provenance.dialogId ?? example.id}` });
  }
  // Negatives are drawn from the turns in id order, so the draw does not depend on the input order.
  const pool = [...turns].sort((a, b) => (a.example.id < b.example.id ? -1 : a.example.id > b.example.id ? 1 : 0));
  const rows: PointRow[] = [];
  const conversations = new Set(turns.map((t) => t.conversation));
  for (const turn of turns) {
    rows.push({ id: turn.example.id, input: { text: turn.user, pair: turn.reply }, target: 1 });
    if (conversations.size < 2) continue;
    const rng = Xoshiro128.fromWords([...seedWords(options.seed ?? 0), ...hashWords(turn.example.id)]);
    for (let k = 0; k < negatives; k++) {
      let other = pool[Math.floor(rng.nextFloat() * pool.length)]!;
      while (other.conversation === turn.conversation) other = pool[Math.floor(rng.nextFloat() * pool.length)]!;
      rows.push({ id: `${turn.example.id}~neg${k}`, input: { text: turn.user, pair: other.reply }, target: 0 });
    }
  }
  return { task: 'binary', rows, labels: ['relevance'], skipped };
}
