/**
 * What content rewards read from a batch row: the reply (the policy's extracted answer when it
 * has one), the user turn it answers, and the reference reply of the source example.
 */
import { z } from 'zod';
import type { CanonicalExample, RewardCompletion } from 'attune';

export const missingAnswerOption = z
  .enum(['zero', 'null', 'full-text'])
  .default('zero')
  .describe("when the decoding policy found no answer in a completion: score 0, leave it unscored (null), or score the whole text");

export type MissingAnswer = z.output<typeof missingAnswerOption>;

/** The text to score, or a fixed score when the answer is missing. */
export function replyOf(completion: RewardCompletion, missing: MissingAnswer): { text: string } | { score: number | null } {
  if (completion.answer === undefined) return { text: completion.text };
  if (completion.answer !== null) return { text: completion.answer };
  if (missing === 'full-text') return { text: completion.text };
  return { score: missing === 'zero' ? 0 : null };
}

/** The example's reference reply: its final assistant message, when it ends with one. */
export function referenceReply(example: CanonicalExample | undefined): string | undefined {
  const last = example?.messages.at(-1);
  return last?.role === 'assistant' ? last.content : undefined;
}
