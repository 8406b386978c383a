/**
 * One WASSA record → a typed conversation turn. Columns are looked up by name
 * (case-insensitive) because their order differs between releases; the release itself is
 * recognised from which columns exist.
 */
import { cellText } from 'attune/data';
import type { RowIssue, SourceRecord } from 'attune/data';
import { isMissing, parseScore, scoreColumns, scoreKeys, type ScoreKey } from './scores.js';

export type DetectedRelease = '2023' | '2024' | 'unknown';

export interface WassaTurn {
  conversationId: string;
  turn: number;
  text: string;
  articleId?: string;
  /** `Person 1` or `Person 2`. */
  speaker?: string;
  speakerId?: string;
  scores: Partial<Record<ScoreKey, number>>;
  release: DetectedRelease;
  file: string;
  row: number;
}

export type TurnParse = { ok: true; turn: WassaTurn } | { ok: false; issue: RowIssue };

export function detectRelease(columns: Iterable<string>): DetectedRelease {
  const names = new Set([...columns].map((c) => c.toLowerCase()));
  if (names.has('speaker_number') || names.has('essay_id')) return '2023';
  if (names.has('person_id_1')) return '2024';
  return 'unknown';
}

/**
 * @param gold labels from a row-aligned gold file, used when the record has no label columns.
 */
export function parseTurn(record: SourceRecord<Record<string, unknown>>, gold?: Partial<Record<ScoreKey, string>>): TurnParse {
  const cells = lowerCaseCells(record.value);
  const fail = (reason: string, field?: string): TurnParse => ({
    ok: false,
    issue: field ? { file: record.file, row: record.row, field, reason } : { file: record.file, row: record.row, reason },
  });

  const text = cells.get('text');
  if (text === undefined) return fail("no 'text' column", 'text');
  if (text.trim() === '') return fail('empty text', 'text');

  const conversationId = cells.has('conversation_id') ? normalizeId(cells.get('conversation_id')!) : `row${record.row}`;
  if (conversationId === undefined) return fail(`unparseable conversation id '${cells.get('conversation_id')}'`, 'conversation_id');
  const turnText = cells.get('turn_id');
  const turn = turnText === undefined ? 0 : Number(turnText.trim());
  if (turnText !== undefined && (turnText.trim() === '' || !Number.isInteger(turn))) {
    return fail(`unparseable turn number '${turnText}'`, 'turn_id');
  }

  const scores: Partial<Record<ScoreKey, number>> = {};
  for (const key of scoreKeys) {
    const column = scoreColumns[key];
    const cell = cells.get(column) ?? gold?.[key];
    if (cell === undefined) continue;
    const parsed = parseScore(key, cell);
    if (!parsed.ok) return fail(parsed.reason, cells.has(column) ? column : `gold ${key}`);
    if (parsed.value !== undefined) scores[key] = parsed.value;
  }

  const release = detectRelease(cells.keys());
  const parsedTurn: WassaTurn = { conversationId, turn, text: text.trim(), scores, release, file: record.file, row: record.row };
  const articleId = cells.get('article_id');
  if (articleId !== undefined && !isMissing(articleId)) parsedTurn.articleId = normalizeId(articleId) ?? articleId.trim();
  Object.assign(parsedTurn, speakerOf(cells));
  return { ok: true, turn: parsedTurn };
}

/** 2024 train: `speaker` = "Person 1"; 2024 dev/test: `speaker_id` among person_id_1/2; 2023: `speaker_number`. */
function speakerOf(cells: Map<string, string>): { speaker?: string; speakerId?: string } {
  const person1 = cells.get('person_id_1')?.trim();
  const person2 = cells.get('person_id_2')?.trim();
  const named = cells.get('speaker')?.trim();
  if (named) {
    const id = named === 'Person 1' ? person1 : named === 'Person 2' ? person2 : undefined;
    return id ? { speaker: named, speakerId: id } : { speaker: named };
  }
  const speakerId = cells.get('speaker_id')?.trim();
  const number = cells.get('speaker_number')?.trim();
  const out: { speaker?: string; speakerId?: string } = {};
  if (speakerId) out.speakerId = normalizeId(speakerId) ?? speakerId;
  if (number) out.speaker = `Person ${normalizeId(number) ?? number}`;
  else if (speakerId && speakerId === person1) out.speaker = 'Person 1';
  else if (speakerId && speakerId === person2) out.speaker = 'Person 2';
  return out;
}

/** Ids are integers, written as floats (`35.0`) in 2023; non-numeric ids pass through trimmed. */
function normalizeId(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const value = Number(trimmed);
  if (Number.isFinite(value) && Number.isInteger(value)) return String(value);
  return /^[\w.-]+$/.test(trimmed) && !/^[\d.]+$/.test(trimmed) ? trimmed : undefined;
}

function lowerCaseCells(value: Record<string, unknown>): Map<string, string> {
  const cells = new Map<string, string>();
  for (const [key, cell] of Object.entries(value)) {
    cells.set(key.trim().toLowerCase(), cellText(cell));
  }
  return cells;
}
