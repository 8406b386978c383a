/**
 * Tokenizes a dataset's conversations and counts what truncation did: how many lost early turns,
 * and how many were dropped because the target alone does not fit.
 */
import type { Message } from '../example.js';
import { AttuneError } from '../../base/errors.js';
import type { ChatEncoder } from './chat-encoder.js';
import { ChatTokenizeError } from './errors.js';
import { tokenizeChat, tokenizePrompt } from './tokenize-chat.js';
import type { ChatTokenizeOptions, TokenizedChat } from './tokenize-chat.js';

export interface ConversationItem {
  id: string;
  messages: readonly Message[];
}

export interface TokenizedItem extends TokenizedChat {
  id: string;
}

export interface TokenizeStats {
  total: number;
  kept: number;
  /** Kept, but with earliest turns dropped to fit. */
  truncated: number;
  /** Left out: the target (or last prompt turn) does not fit even alone. */
  dropped: number;
  droppedIds: string[];
}

export interface TokenizeExamplesOptions extends ChatTokenizeOptions {
  /** `target` (default): the last message is an assistant reply to learn; `prompt`: render for generation/classification. */
  mode?: 'target' | 'prompt';
}

export function tokenizeExamples(
  encoder: ChatEncoder,
  items: Iterable<ConversationItem>,
  options: TokenizeExamplesOptions,
): { items: TokenizedItem[]; stats: TokenizeStats } {
  const out: TokenizedItem[] = [];
  const stats: TokenizeStats = { total: 0, kept: 0, truncated: 0, dropped: 0, droppedIds: [] };
  for (const item of items) {
    stats.total++;
    let result;
    try {
      result = options.mode === 'prompt' ? tokenizePrompt(encoder, item.messages, options) : tokenizeChat(encoder, item.messages, options);
    } catch (error) {
      if (error instanceof AttuneError) throw new ChatTokenizeError(`example "${item.id}": ${error.message}`, error.hint);
      throw error;
    }
    if (result.status === 'too-long') {
      stats.dropped++;
      stats.droppedIds.push(item.id);
      continue;
    }
    const { status: _status, ...tokenized } = result;
    stats.kept++;
    if (tokenized.droppedMessages > 0) stats.truncated++;
    out.push({ id: item.id, ...tokenized });
  }
  return { items: out, stats };
}
