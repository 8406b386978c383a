/**
 * A transcript → one `dialogue` example per therapist turn (or only the last), with the
 * conversation before it as history. The target turn's behaviour and the session's quality
 * are labels; topic, video and the client's preceding talk type are metadata.
 */
import { expandDialogue } from 'attune/data';
import type { CanonicalExample, DialogueTurn, ExpansionMode, KnownLabels } from 'attune/data';
import type { Transcript } from './transcripts.js';
import type { Utterance } from './utterance.js';

export interface TranscriptExpansion {
  mode: ExpansionMode;
  maxHistoryTurns: number;
}

export function transcriptToExamples(transcript: Transcript, split: string, expansion: TranscriptExpansion): CanonicalExample[] {
  const turns: DialogueTurn<Utterance>[] = transcript.utterances.map((u) => ({
    speaker: u.speaker === 'therapist' ? 'helper' : 'client',
    text: u.text,
    index: u.utteranceId,
    extra: u,
  }));
  return expandDialogue(turns, { mode: expansion.mode, maxHistoryTurns: expansion.maxHistoryTurns }).map(({ messages, target, lastClientTurn }) => {
    // expandDialogue merges consecutive therapist utterances; the later one's labels win.
    const utterance = target.extra!;
    const metadata: CanonicalExample['metadata'] = {
      transcriptId: transcript.id,
      utteranceId: target.index,
      topic: transcript.topic,
      annotators: transcript.annotators,
    };
    const optional = {
      videoTitle: transcript.videoTitle,
      videoUrl: transcript.videoUrl,
      timestamp: utterance.timestamp,
      behaviourSubtype: utterance.subtype,
      clientTalkType: lastClientTurn?.extra?.talkType,
    };
    for (const [key, value] of Object.entries(optional)) if (value !== undefined) metadata[key] = value;
    const labels: KnownLabels = { miQuality: transcript.quality };
    if (utterance.behaviour) labels.miBehaviour = utterance.behaviour;
    return {
      id: `annomi:${split}:${transcript.id}:${target.index}`,
      kind: 'dialogue',
      messages,
      labels,
      metadata,
      provenance: { source: 'annomi', split, file: utterance.file, row: utterance.row, dialogId: transcript.id, turn: target.index },
    };
  });
}
