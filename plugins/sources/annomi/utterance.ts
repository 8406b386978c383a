/**
 * One AnnoMI row → a typed utterance, or why it is malformed. Both releases are read by
 * column name (their column order differs); `AnnoMI-full.csv` adds the annotator and the
 * behaviour subtypes. Missing values are the string "n/a".
 */
import { cellText } from 'attune/data';
import type { RowIssue, SourceRecord } from 'attune/data';

export const therapistBehaviours = ['question', 'reflection', 'therapist_input', 'other'] as const;
export const clientTalkTypes = ['change', 'neutral', 'sustain'] as const;

export interface Utterance {
  transcriptId: string;
  utteranceId: number;
  quality: 'high' | 'low';
  speaker: 'therapist' | 'client';
  text: string;
  /** Therapist rows: question, reflection, therapist_input or other. */
  behaviour?: string;
  /** Client rows: change, neutral or sustain. */
  talkType?: string;
  /** Full release only: question open/closed, reflection simple/complex, input information/advice/…. */
  subtype?: string;
  annotator?: string;
  topic: string;
  videoTitle?: string;
  videoUrl?: string;
  timestamp?: string;
  file: string;
  row: number;
}

export type UtteranceParse = { ok: true; utterance: Utterance } | { ok: false; issue: RowIssue };

export function parseUtterance(record: SourceRecord<Record<string, unknown>>): UtteranceParse {
  const cell = (name: string) => present(record.value[name]);
  const fail = (field: string, reason: string): UtteranceParse => ({ ok: false, issue: { file: record.file, row: record.row, field, reason } });

  const transcriptId = cell('transcript_id');
  if (!transcriptId) return fail('transcript_id', 'empty transcript id');
  const utteranceText = cell('utterance_id');
  const utteranceId = Number(utteranceText);
  if (!utteranceText || !Number.isInteger(utteranceId) || utteranceId < 0) return fail('utterance_id', `unparseable number '${utteranceText ?? ''}' (expected the 0-based turn index)`);
  const quality = cell('mi_quality');
  if (quality !== 'high' && quality !== 'low') return fail('mi_quality', `unknown label '${quality ?? ''}' (expected high or low)`);
  const speaker = cell('interlocutor');
  if (speaker !== 'therapist' && speaker !== 'client') return fail('interlocutor', `unknown label '${speaker ?? ''}' (expected therapist or client)`);
  const text = cell('utterance_text');
  if (!text) return fail('utterance_text', 'empty text');

  const utterance: Utterance = { transcriptId, utteranceId, quality, speaker, text, topic: cell('topic') ?? '', file: record.file, row: record.row };
  if (speaker === 'therapist') {
    const behaviour = cell('main_therapist_behaviour');
    if (!behaviour || !(therapistBehaviours as readonly string[]).includes(behaviour)) {
      return fail('main_therapist_behaviour', `unknown label '${behaviour ?? 'n/a'}' (expected ${therapistBehaviours.join(', ')})`);
    }
    utterance.behaviour = behaviour;
    const subtype = cell(`${behaviour}_subtype`);
    if (subtype) utterance.subtype = subtype;
  } else {
    const talkType = cell('client_talk_type');
    if (!talkType || !(clientTalkTypes as readonly string[]).includes(talkType)) {
      return fail('client_talk_type', `unknown label '${talkType ?? 'n/a'}' (expected ${clientTalkTypes.join(', ')})`);
    }
    utterance.talkType = talkType;
  }
  const optional = { annotator: cell('annotator_id'), videoTitle: cell('video_title'), videoUrl: cell('video_url'), timestamp: cell('timestamp') };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) Object.assign(utterance, { [key]: value });
  return { ok: true, utterance };
}

/** The cell as trimmed text; undefined for empty, null or "n/a". */
function present(value: unknown): string | undefined {
  const text = cellText(value).trim();
  return text === '' || text.toLowerCase() === 'n/a' ? undefined : text;
}
