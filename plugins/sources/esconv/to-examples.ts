/**
 * An ESConv dialog → one `dialogue` example per supporter turn (or only the last), with the
 * preceding history; the target turn's strategy is the label, dialog context is metadata.
 */
import { expandDialogue } from 'attune/data';
import type { CanonicalExample, ExpansionMode } from 'attune/data';
import type { ParsedDialog } from './parse-dialog.js';

export interface DialogPlace {
  file: string;
  row: number;
  split: string;
  dialogId: string;
}

export function dialogToExamples(dialog: ParsedDialog, place: DialogPlace, mode: ExpansionMode, maxHistoryTurns: number): CanonicalExample[] {
  return expandDialogue(dialog.turns, { mode, maxHistoryTurns }).map(({ messages, target }) => ({
    id: `esconv:${place.split}:${place.dialogId}:${target.index}`,
    kind: 'dialogue',
    messages,
    labels: target.extra ? { strategy: target.extra.strategy } : {},
    metadata: { ...dialog.metadata },
    provenance: { source: 'esconv', split: place.split, file: place.file, row: place.row, dialogId: place.dialogId, turn: target.index },
  }));
}
