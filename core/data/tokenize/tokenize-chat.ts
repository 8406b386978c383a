/**
 * A conversation to model inputs: ids, loss labels (-100 outside assistant replies), the last
 * prompt token (where a classification head pools), after fitting into `maxLength` by dropping
 * the earliest turns.
 */
import type { Message } from '../example.js';
import { assistantSpan } from './assistant-spans.js';
import { encodeChat } from './chat-encoder.js';
import type { ChatEncoder } from './chat-encoder.js';
import { ChatTokenizeError } from './errors.js';
import { fitWindow } from './truncate.js';

export const IGNORE_INDEX = -100;

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
  const window = fitWindow(messages, options.maxLength, (w) => encodeChat(encoder, w, false));
  if (!window) return { status: 'too-long', minimumLength: shortestLength(encoder, messages, false) };
  const endOfTurn = new Set(options.endOfTurnIds ?? (encoder.eos ? [encoder.eos.id] : []));
  const ids = window.ids;
  const full = { messages: window.messages, text: encoder.renderChat(window.messages, { addGenerationPrompt: false }), ids };
  const last = window.messages.length - 1;
  const target = assistantSpan(encoder, full, last, endOfTurn);
  if (!target) {
    throw new ChatTokenizeError(
      'cannot locate the target reply: the chat template does not render the conversation as its prompt (with generation prompt) followed by the reply',
      'use a chat template whose rendering of a conversation extends the rendering of its prefix',
    );
  }
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
  const window = fitWindow(messages, options.maxLength, (w) => encodeChat(encoder, w, true));
  if (!window) return { status: 'too-long', minimumLength: shortestLength(encoder, messages, true) };
  const ids = window.ids;
  return {
    status: 'ok',
    inputIds: ids,
    labels: new Array<number>(ids.length).fill(IGNORE_INDEX),
    lastPromptIndex: ids.length - 1,
    droppedMessages: window.droppedMessages,
  };
}

function shortestLength(encoder: ChatEncoder, messages: readonly Message[], addGenerationPrompt: boolean): number | null {
  const system = messages.filter((m, i) => m.role === 'system' && messages.slice(0, i).every((p) => p.role === 'system'));
  try {
    return encodeChat(encoder, [...system, messages.at(-1)!], addGenerationPrompt).length;
  } catch {
    return null; // the template refuses the lone turn; the caller only needs to know it was dropped
  }
}

function checkMaxLength(maxLength: number): void {
  if (!Number.isSafeInteger(maxLength) || maxLength < 1) {
    throw new ChatTokenizeError(`maxLength must be a positive integer, got ${maxLength}`);
  }
}
