/**
 * A WASSA turn → a `classify` example: the turn text is the only model input; the three
 * scores are labels; ids, speaker and release are metadata.
 */
import type { CanonicalExample } from 'attune/data';
import type { WassaTurn } from './turn.js';

export function turnToExample(turn: WassaTurn, split: string): CanonicalExample {
  const metadata: CanonicalExample['metadata'] = {
    conversationId: turn.conversationId,
    turnId: turn.turn,
    release: turn.release,
  };
  if (turn.articleId !== undefined) metadata.articleId = turn.articleId;
  if (turn.speaker !== undefined) metadata.speaker = turn.speaker;
  if (turn.speakerId !== undefined) metadata.speakerId = turn.speakerId;
  return {
    id: `wassa:${split}:${turn.conversationId}:${turn.turn}`,
    kind: 'classify',
    messages: [{ role: 'user', content: turn.text }],
    labels: Object.keys(turn.scores).length > 0 ? { scores: { ...turn.scores } } : {},
    metadata,
    provenance: { source: 'wassa', split, file: turn.file, row: turn.row, dialogId: turn.conversationId, turn: turn.turn },
  };
}
