/**
 * Where assistant turns sit in a tokenized conversation, found by rendering prefixes of the
 * conversation with the model's own chat template. The rendered prompt must be a text prefix of
 * the rendered conversation (checked); token positions then come from comparing token sequences,
 * which survives a BPE merge across the turn boundary: the reply starts where the prompt's tokens
 * stop matching the conversation's. No per-model markers are needed.
 */
import type { Message } from '../example.js';
import { commonPrefixLength } from './chat-encoder.js';
import type { ChatEncoder } from './chat-encoder.js';

export interface TokenSpan {
  /** Message index in the conversation. */
  message: number;
  /** First token of the assistant's reply. */
  start: number;
  /** One past the last labelled token (the end-of-turn token included, template filler after it not). */
  end: number;
}

export interface RenderedConversation {
  messages: readonly Message[];
  text: string;
  ids: readonly number[];
}

/**
 * The span of assistant message `index`, or null when the template does not render that turn as
 * a continuation of the turns before it (e.g. an opening assistant turn under a template that
 * inserts a default system prompt only in front of a non-system first message).
 */
export function assistantSpan(
  encoder: ChatEncoder,
  full: RenderedConversation,
  index: number,
  endOfTurnIds: ReadonlySet<number>,
): TokenSpan | null {
  const promptText = encoder.renderChat(full.messages.slice(0, index), { addGenerationPrompt: true });
  const isLast = index === full.messages.length - 1;
  const throughText = isLast ? full.text : encoder.renderChat(full.messages.slice(0, index + 1), { addGenerationPrompt: false });
  if (!full.text.startsWith(promptText) || !full.text.startsWith(throughText) || throughText.length <= promptText.length) return null;
  const prompt = encoder.encode(promptText, { addSpecialTokens: false });
  const through = isLast ? full.ids : encoder.encode(throughText, { addSpecialTokens: false });
  const start = commonPrefixLength(prompt, full.ids);
  let end = commonPrefixLength(through, full.ids);
  // Templates add filler after the end-of-turn token (ChatML's "\n"); the model need not learn it.
  for (let i = end - 1; i >= start; i--) {
    if (endOfTurnIds.has(full.ids[i]!)) {
      end = i + 1;
      break;
    }
  }
  return end > start ? { message: index, start, end } : null;
}
