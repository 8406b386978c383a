/**
 * Utterances → transcripts in speaking order. `AnnoMI-full.csv` repeats an utterance once
 * per annotator (up to 10 rows for 428 utterances of 7 transcripts); those collapse to one
 * utterance whose labels are the majority vote, ties going to the first row in the file
 * (the row `AnnoMI-simple.csv` agrees with in 398 of 428 cases).
 */
import type { RowIssueCollector } from 'attune/data';
import type { Utterance } from './utterance.js';

export interface Transcript {
  id: string;
  quality: 'high' | 'low';
  topic: string;
  videoTitle?: string;
  videoUrl?: string;
  utterances: Utterance[];
  /** How many annotators labelled the most-annotated utterance (1 in the simple release). */
  annotators: number;
}

export function groupTranscripts(utterances: readonly Utterance[], issues: RowIssueCollector): Transcript[] {
  const byTranscript = new Map<string, Map<number, Utterance[]>>();
  for (const u of utterances) {
    const turns = byTranscript.get(u.transcriptId) ?? new Map<number, Utterance[]>();
    byTranscript.set(u.transcriptId, turns);
    const copies = turns.get(u.utteranceId) ?? [];
    turns.set(u.utteranceId, copies);
    if (copies.length > 0 && (copies[0]!.text !== u.text || copies[0]!.speaker !== u.speaker)) {
      issues.report({ file: u.file, row: u.row, field: 'utterance_text', reason: `utterance ${u.utteranceId} of transcript ${u.transcriptId} differs from its first copy at row ${copies[0]!.row}` });
      continue;
    }
    if (copies.some((c) => c.annotator === u.annotator)) {
      issues.report({ file: u.file, row: u.row, field: 'utterance_id', reason: `duplicate utterance ${u.utteranceId} of transcript ${u.transcriptId} (first at row ${copies[0]!.row})` });
      continue;
    }
    copies.push(u);
  }
  const transcripts: Transcript[] = [];
  for (const [id, turns] of byTranscript) {
    const ordered = [...turns.entries()].sort(([a], [b]) => a - b).map(([, copies]) => majority(copies));
    const first = ordered[0]!;
    const transcript: Transcript = {
      id,
      quality: first.quality,
      topic: first.topic,
      utterances: ordered,
      annotators: Math.max(...[...turns.values()].map((c) => c.length)),
    };
    if (first.videoTitle) transcript.videoTitle = first.videoTitle;
    if (first.videoUrl) transcript.videoUrl = first.videoUrl;
    transcripts.push(transcript);
  }
  return transcripts;
}

function majority(copies: readonly Utterance[]): Utterance {
  if (copies.length === 1) return copies[0]!;
  const label = (u: Utterance) => `${u.behaviour ?? ''}|${u.talkType ?? ''}|${u.subtype ?? ''}`;
  const votes = new Map<string, number>();
  for (const u of copies) votes.set(label(u), (votes.get(label(u)) ?? 0) + 1);
  let best = copies[0]!;
  for (const u of copies) if (votes.get(label(u))! > votes.get(label(best))!) best = u;
  return best;
}
