/**
 * Original-format conversations → one `dialogue` example per listener turn (or only the
 * last), each with the turns before it. The emotion is a label, the situation metadata.
 */
import { expandDialogue } from 'attune/data';
import type { CanonicalExample, ExpansionMode } from 'attune/data';
import type { EdConversation } from './conversations.js';
import { emotionLabel, type EdEmotionLabels } from './emotion-label.js';

export interface EdExpansion {
  mode: ExpansionMode;
  maxHistoryTurns: number;
  emotionLabels: EdEmotionLabels;
}

export function conversationToExamples(conversation: EdConversation, split: string, expansion: EdExpansion): CanonicalExample[] {
  return expandDialogue(conversation.turns, { mode: expansion.mode, maxHistoryTurns: expansion.maxHistoryTurns }).map(({ messages, target }) => {
    const metadata: Record<string, string> = { situation: conversation.situation };
    if (target.extra?.selfeval) metadata.selfeval = target.extra.selfeval;
    if (target.extra?.tags) metadata.tags = target.extra.tags;
    return {
      id: `ed:${split}:${conversation.convId}:${target.index}`,
      kind: 'dialogue',
      messages,
      labels: { emotion: emotionLabel(conversation.emotion, expansion.emotionLabels) },
      metadata,
      provenance: {
        source: 'ed',
        split,
        file: conversation.file,
        row: target.extra?.row ?? 0,
        dialogId: conversation.convId,
        turn: target.index,
      },
    };
  });
}
