/**
 * Original-format rows (one utterance each) grouped into conversations. Speakers alternate
 * and the one who wrote the situation opens, so odd `utterance_idx` = speaker (client),
 * even = listener (helper). A bad row is reported once and drops its conversation: a
 * conversation with a missing turn would pair answers with the wrong questions.
 */
import { ed32Labels, isEd32Label } from 'attune/data';
import type { DialogueTurn, RowIssueCollector, SourceRecord } from 'attune/data';
import { unescapeEd } from './text.js';

export interface TurnInfo {
  row: number;
  selfeval: string;
  tags: string;
}

export interface EdConversation {
  file: string;
  convId: string;
  emotion: string;
  situation: string;
  turns: DialogueTurn<TurnInfo>[];
}

/** A conversation while its rows are collected: utterances in file order, or broken by a bad row. */
interface Draft extends Omit<EdConversation, 'turns'> {
  utterances: { idx: number; text: string; info: TurnInfo }[];
  broken: boolean;
}

export function groupConversations(records: SourceRecord<Record<string, unknown>>[], issues: RowIssueCollector): EdConversation[] {
  const drafts = new Map<string, Draft>();
  for (const { file, row, value } of records) {
    const convId = unescapeEd(value.conv_id);
    const bad = (field: string, reason: string): void => {
      issues.report({ file, row, field, reason });
      const draft = drafts.get(convId);
      if (draft) draft.broken = true;
      else drafts.set(convId, { file, convId, emotion: '', situation: '', utterances: [], broken: true });
    };
    if (!convId) {
      issues.report({ file, row, field: 'conv_id', reason: 'empty conversation id' });
      continue;
    }
    const idx = Number(value.utterance_idx);
    if (!Number.isInteger(idx) || idx < 1) {
      bad('utterance_idx', `expected a 1-based integer, got '${String(value.utterance_idx)}'`);
      continue;
    }
    const emotion = unescapeEd(value.context).toLowerCase();
    if (!isEd32Label(emotion)) {
      bad('context', `unknown emotion label '${emotion}' (expected one of the 32 ED labels: ${ed32Labels.slice(0, 6).join(', ')}, …)`);
      continue;
    }
    const text = unescapeEd(value.utterance);
    if (!text) {
      bad('utterance', 'empty text');
      continue;
    }
    const draft = drafts.get(convId) ?? { file, convId, emotion, situation: unescapeEd(value.prompt), utterances: [], broken: false };
    drafts.set(convId, draft);
    draft.emotion ||= emotion;
    draft.situation ||= unescapeEd(value.prompt);
    draft.utterances.push({ idx, text, info: { row, selfeval: unescapeEd(value.selfeval), tags: unescapeEd(value.tags) } });
  }
  const conversations: EdConversation[] = [];
  for (const draft of drafts.values()) {
    if (draft.broken || draft.utterances.length === 0) continue;
    const sorted = [...draft.utterances].sort((a, b) => a.idx - b.idx);
    // A row lost earlier (e.g. to a wrong column count) leaves a gap; without it the
    // remaining turns would answer the wrong utterances.
    const gap = sorted.findIndex((u, i) => u.idx !== i + 1);
    if (gap !== -1) {
      const at = sorted[gap]!;
      issues.report({ file: draft.file, row: at.info.row, field: 'utterance_idx', reason: `conversation ${draft.convId} is incomplete: utterance ${gap + 1} is missing or repeated (found ${at.idx}); the conversation is skipped` });
      continue;
    }
    conversations.push({
      file: draft.file,
      convId: draft.convId,
      emotion: draft.emotion,
      situation: draft.situation,
      turns: sorted.map((u, index) => ({ speaker: u.idx % 2 === 1 ? 'client' : 'helper', text: u.text, index, extra: u.info })),
    });
  }
  return conversations;
}
