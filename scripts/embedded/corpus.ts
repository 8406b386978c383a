/**
 * What an embedded model is trained on: the texts its tokenizer is fitted to, the conversations
 * it is pre-trained on, the conversations held out for its reported loss, and a description of
 * where each came from for SOURCE.md.
 */
import type { Message } from 'attune';

export interface CorpusPart {
  /** Dataset and files, as SOURCE.md names them. */
  name: string;
  license: string;
  train: number;
  heldOut: number;
  /** How its rows became conversations. */
  rendering: string;
}

export interface Corpus {
  tokenizerTexts: string[];
  train: Message[][];
  heldOut: Message[][];
  /** How the held-out conversations were chosen. */
  heldOutRule: string;
  parts: CorpusPart[];
}

export function textBytes(texts: readonly string[]): number {
  return texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
}

/** Consecutive turns of one speaker become one message, as the chat template expects alternation. */
export function pushTurn(messages: Message[], role: 'user' | 'assistant', text: string): void {
  const content = text.trim();
  if (!content) return;
  const previous = messages.at(-1);
  if (previous?.role === role) previous.content += ` ${content}`;
  else messages.push({ role, content });
}
