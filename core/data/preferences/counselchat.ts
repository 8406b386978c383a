/**
 * CounselChat preference pairs: for each question, an answer with more upvotes is chosen
 * over one with fewer. Upvotes are a weak signal (most answers have 0 or 1, and older
 * answers had longer to collect them), so:
 * - ties are never pairs, and `minMargin` can demand a larger gap;
 * - `maxPairsPerQuestion` caps the pairs one question contributes (a question with 49
 *   answers would otherwise give hundreds), choosing by a seeded hash of the pair, so the
 *   choice depends only on the seed and the pair, not on the order or the other questions;
 * - pairs never cross splits.
 * The prompt is the question (the chosen answer's messages without the answer).
 */
import type { CanonicalExample } from '../example.js';
import { seededRank } from '../formats/sample.js';

export interface CounselChatPairOptions {
  /** Smallest upvote difference that makes a pair (≥ 1; default 1). */
  minMargin?: number;
  /** Most pairs per question (0: no cap; default 3). */
  maxPairsPerQuestion?: number;
  seed?: number;
}

interface Answer {
  example: CanonicalExample;
  upvotes: number;
  reply: string;
}

export function counselChatPreferencePairs(examples: readonly CanonicalExample[], options: CounselChatPairOptions = {}): CanonicalExample[] {
  const minMargin = Math.max(1, options.minMargin ?? 1);
  const cap = options.maxPairsPerQuestion ?? 3;
  const seed = options.seed ?? 0;
  const questions = new Map<string, Answer[]>();
  for (const example of examples) {
    const upvotes = example.metadata.upvotes;
    const reply = example.messages.at(-1);
    if (example.kind !== 'dialogue' || typeof upvotes !== 'number' || reply?.role !== 'assistant') {
      throw new Error(`counselChatPreferencePairs needs counselchat dialogue examples with numeric metadata.upvotes; ${example.id} is not one.`);
    }
    const key = `${example.provenance.split}\u0000${example.provenance.dialogId ?? example.id}`;
    const answers = questions.get(key) ?? [];
    answers.push({ example, upvotes, reply: reply.content });
    questions.set(key, answers);
  }

  const pairs: CanonicalExample[] = [];
  for (const answers of questions.values()) {
    const candidates: { chosen: Answer; rejected: Answer; rank: string }[] = [];
    for (const chosen of answers) {
      for (const rejected of answers) {
        if (chosen.upvotes - rejected.upvotes < minMargin || chosen.reply === rejected.reply) continue;
        candidates.push({ chosen, rejected, rank: seededRank(seed, `${chosen.example.id}>${rejected.example.id}`) });
      }
    }
    candidates.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
    for (const { chosen, rejected } of cap > 0 ? candidates.slice(0, cap) : candidates) pairs.push(toPair(chosen, rejected));
  }
  return pairs;
}

function toPair(chosen: Answer, rejected: Answer): CanonicalExample {
  const { provenance } = chosen.example;
  const metadata: CanonicalExample['metadata'] = { chosenUpvotes: chosen.upvotes, rejectedUpvotes: rejected.upvotes };
  for (const key of ['questionId', 'topic'] as const) {
    const value = chosen.example.metadata[key];
    if (value !== undefined) metadata[key] = value;
  }
  for (const [side, answer] of [['chosen', chosen], ['rejected', rejected]] as const) {
    const therapist = answer.example.metadata.therapist;
    if (therapist !== undefined) metadata[`${side}Therapist`] = therapist;
  }
  return {
    id: `${provenance.source}:${provenance.split}:${provenance.dialogId}:${provenance.turn}-vs-${rejected.example.provenance.turn}`,
    kind: 'preference',
    messages: chosen.example.messages.slice(0, -1),
    labels: {},
    preference: { chosen: chosen.reply, rejected: rejected.reply, margin: chosen.upvotes - rejected.upvotes },
    metadata,
    provenance,
  };
}
