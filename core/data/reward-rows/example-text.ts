/** What of a canonical example a reward model reads. */
import type { CanonicalExample, Message } from '../example.js';

/** A classify example's text: its messages' contents, one per line (WASSA, GoEmotions: one message). */
export function exampleText(example: CanonicalExample): string {
  return example.messages.map((m) => m.content).join('\n');
}

/** The last user turn of a conversation: the first segment of (user turn, reply) inputs, as the reward plugins pair them. */
export function lastUserContent(messages: readonly Message[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === 'user') return messages[i]!.content;
  return undefined;
}

/** The value at a dotted path in the example's labels (`scores.empathy`, `emotion.label`, `strategy`). */
export function labelAt(example: CanonicalExample, path: string): unknown {
  let value: unknown = example.labels;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
