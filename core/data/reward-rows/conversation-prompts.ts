/**
 * Prompts for rollouts from turn-level examples (WASSA: one example per turn, with its conversation
 * id and turn index): for each turn that the other speaker answers, the prompt is that turn as the
 * user's, after up to `contextTurns` earlier turns with alternating roles, and the answer given in
 * the data is kept as the reference reply (`metadata.reference`) for rewards that compare with it.
 */
import type { CanonicalExample, Message } from '../example.js';
import { exampleText } from './example-text.js';

export interface ConversationPromptOptions {
  /** Earlier turns kept before the answered one (default 2). */
  readonly contextTurns?: number;
}

export function conversationPrompts(examples: readonly CanonicalExample[], options: ConversationPromptOptions = {}): CanonicalExample[] {
  const context = options.contextTurns ?? 2;
  const conversations = new Map<string, CanonicalExample[]>();
  for (const e of examples) {
    const key = `${e.provenance.source}:${String(e.metadata.release ?? '')}:${e.provenance.dialogId ?? e.id}`;
    conversations.set(key, [...(conversations.get(key) ?? []), e]);
  }
  const prompts: CanonicalExample[] = [];
  for (const turns of conversations.values()) {
    turns.sort((a, b) => (a.provenance.turn ?? 0) - (b.provenance.turn ?? 0));
    for (let t = 0; t + 1 < turns.length; t++) {
      const window = turns.slice(Math.max(0, t - context), t + 1);
      // The answered turn is the user's; roles alternate backwards from it.
      const messages: Message[] = window.map((turn, k) => ({ role: (window.length - 1 - k) % 2 === 0 ? 'user' : 'assistant', content: exampleText(turn) }));
      while (messages[0]?.role === 'assistant') messages.shift();
      const answered = turns[t]!;
      prompts.push({
        ...answered,
        id: `${answered.id}:prompt`,
        kind: 'prompt-only',
        messages,
        metadata: { ...answered.metadata, reference: exampleText(turns[t + 1]!) },
      });
    }
  }
  return prompts;
}
