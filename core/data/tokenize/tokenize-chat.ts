/**
 * A conversation to model inputs: ids, loss labels (-100 outside assistant replies), the last
 * prompt token (where a classification head pools), after fitting into `maxLength` by dropping
 * the earliest turns.
 */
import { IGNORE_INDEX } from '../../base/ignore-index.js';
import type { Message } from '../example.js';
import { assistantSpan } from './assistant-spans.js';
import { encodeChat } from './chat-encoder.js';
import type { ChatEncoder } from './chat-encoder.js';
import { ChatTokenizeError } from './errors.js';
import { fitWindow } from './truncate.js';


export interface ChatTokenizeOptions {
  maxLength: number;
  /** `final` (default): learn only the last assistant turn; `all`: every assistant turn kept. */
  labelTurns?: 'final' | 'all';
  /** Tokens that close an assistant turn; default: the tokenizer's eos. */
  endOfTurnIds?: readonly number[];
}

export interface TokenizedChat {
  inputIds: number[];
  labels: number[];
  /** Index of the token right before the target reply starts (or the last token of a prompt). */
  lastPromptIndex: number;
  /** Non-system messages dropped from the front to fit `maxLength` (0: not truncated). */
  droppedMessages: number;
}

export type ChatTokenizeResult =
  | ({ status: 'ok' } & TokenizedChat)
  | { status: 'too-long'; /** Tokens the shortest allowed window needs. */ minimumLength: number | null };

/** For dialogue examples: the conversation must end with the assistant turn to learn. */
export function tokenizeChat(encoder: ChatEncoder, messages: readonly Message[], options: ChatTokenizeOptions): ChatTokenizeResult {
  checkMaxLength(options.maxLength);
  if (messages.length === 0 || messages[messages.length - 1]!.role !== 'assistant') {
    throw new ChatTokenizeError(
      `the conversation must end with the assistant turn to learn; it ends with ${messages.length ? `a ${messages.at(-1)!.role} turn` : 'nothing'}`,
      'use tokenizePrompt for prompts (classification, generation)',
    );
  }
  const endOfTurn = new Set(options.endOfTurnIds ?? (encoder.eos ? [encoder.eos.id] : []));
  const fit = fitWindow(messages, options.maxLength, (w) => {
    const ids = encodeChat(encoder, w, false);
    const full = { messages: w, text: encoder.renderChat(w, { addGenerationPrompt: false }), ids };
    const target = assistantSpan(encoder, full, w.length - 1, endOfTurn);
    if (target) return { ...full, target };
    // A shortened window may render differently from a prefix of the whole conversation (Qwen2's template puts
    // its default system turn before a lone assistant reply, but not in front of the empty prompt): it just
    // cannot be used. The whole conversation must work, or the template does not suit this tokenization.
    if (w.length < messages.length) return null;
    throw new ChatTokenizeError(
      'cannot locate the target reply: the chat template does not render the conversation as its prompt (with generation prompt) followed by the reply',
      'use a chat template whose rendering of a conversation extends the rendering of its prefix',
    );
  });
  if (fit.status === 'too-long') return fit;
  const { window } = fit;
  const { ids, target } = window.encoding;
  const full = window.encoding;
  const last = window.messages.length - 1;
  const labels = new Array<number>(ids.length).fill(IGNORE_INDEX);
  const spans = [target];
  if (options.labelTurns === 'all') {
    // Earlier replies the template cannot place as continuations stay unlabelled rather than guessed.
    for (let i = 0; i < last; i++) {
      const span = window.messages[i]!.role === 'assistant' ? assistantSpan(encoder, full, i, endOfTurn) : null;
      if (span) spans.push(span);
    }
  }
  for (const span of spans) for (let t = span.start; t < span.end; t++) labels[t] = ids[t]!;
  return { status: 'ok', inputIds: ids, labels, lastPromptIndex: target.start - 1, droppedMessages: window.droppedMessages };
}

/** For classification and generation: the conversation rendered with the generation prompt, no labels. */
export function tokenizePrompt(encoder: ChatEncoder, messages: readonly Message[], options: { maxLength: number }): ChatTokenizeResult {
  checkMaxLength(options.maxLength);
  if (messages.length === 0) throw new ChatTokenizeError('cannot tokenize an empty conversation');
  const fit = fitWindow(messages, options.maxLength, (w) => ({ ids: encodeChat(encoder, w, true) }));
  if (fit.status === 'too-long') return fit;
  const { window } = fit;
  const ids = window.encoding.ids;
  return {
    status: 'ok',
    inputIds: ids,
    labels: new Array<number>(ids.length).fill(IGNORE_INDEX),
    lastPromptIndex: ids.length - 1,
    droppedMessages: window.droppedMessages,
  };
}

function checkMaxLength(maxLength: number): void {
  if (!Number.isSafeInteger(maxLength) || maxLength < 1) {
    throw new ChatTokenizeError(`maxLength must be a positive integer, got ${maxLength}`);
  }
}
