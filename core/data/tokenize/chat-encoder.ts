import type { Message } from '../example.js';

/**
 * What chat tokenization needs from a tokenizer: the chat template rendered to text, and text
 * encoded without extra special tokens. `ModelTokenizer` (core/model/tokenizer) provides it.
 */
export interface ChatEncoder {
  renderChat(messages: readonly Message[], options: { addGenerationPrompt: boolean }): string;
  encode(text: string, options: { addSpecialTokens: boolean }): number[];
  /** The token that closes a turn when the template has one (`<|im_end|>`, `</s>` …). */
  readonly eos: { id: number } | null;
}

export function encodeChat(encoder: ChatEncoder, messages: readonly Message[], addGenerationPrompt: boolean): number[] {
  return encoder.encode(encoder.renderChat(messages, { addGenerationPrompt }), { addSpecialTokens: false });
}

/** Length of the longest common prefix of two id sequences. */
export function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}
