/**
 * ED-v2 rows (history → listener response, one row per pair) → `dialogue` examples. The
 * history alternates and ends with the speaker's turn that the response answers.
 */
import { ed32Labels, isEd32Label } from 'attune/data';
import type { CanonicalExample, Message, RowIssueCollector, SourceRecord } from 'attune/data';
import { parseChatHistory } from './chat-history.js';
import { emotionLabel } from './emotion-label.js';
import type { EdExpansion } from './original-examples.js';
import { unescapeEd } from './text.js';

export function v2RowToExample({ file, row, value }: SourceRecord<Record<string, unknown>>, split: string, expansion: EdExpansion, issues: RowIssueCollector): CanonicalExample | undefined {
  const history = parseChatHistory(value.chat_history)?.map(unescapeEd).filter(Boolean);
  if (!history) {
    issues.report({ file, row, field: 'chat_history', reason: 'not a list of utterances (expected a JSON array, a Python list literal or one utterance per line)' });
    return undefined;
  }
  if (history.length === 0) {
    issues.report({ file, row, field: 'chat_history', reason: 'empty history: nothing for the response to answer' });
    return undefined;
  }
  const response = unescapeEd(value.sys_response);
  if (!response) {
    issues.report({ file, row, field: 'sys_response', reason: 'empty text' });
    return undefined;
  }
  const emotion = unescapeEd(value.emotion).toLowerCase();
  if (!isEd32Label(emotion)) {
    issues.report({ file, row, field: 'emotion', reason: `unknown emotion label '${emotion}' (expected one of the 32 ED labels: ${ed32Labels.slice(0, 6).join(', ')}, …)` });
    return undefined;
  }
  const kept = expansion.maxHistoryTurns ? history.slice(-expansion.maxHistoryTurns) : history;
  // Counted from the end: the last history turn is the speaker's, the one before the listener's …
  const messages: Message[] = kept.map((content, i) => ({ role: (kept.length - 1 - i) % 2 === 0 ? 'user' : 'assistant', content }));
  while (messages[0]?.role === 'assistant') messages.shift();
  messages.push({ role: 'assistant', content: response });
  const dialogId = unescapeEd(value.id) || `row${row}`;
  const metadata: Record<string, string> = {};
  for (const [key, column] of [['situation', 'situation'], ['question_or_not', 'question or not'], ['behavior', 'behavior']] as const) {
    const text = unescapeEd(value[column]);
    if (text) metadata[key] = text;
  }
  return {
    id: `ed:${split}:${dialogId}:${history.length}`,
    kind: 'dialogue',
    messages,
    labels: { emotion: emotionLabel(emotion, expansion.emotionLabels) },
    metadata,
    provenance: { source: 'ed', split, file, row, dialogId, turn: history.length },
  };
}
