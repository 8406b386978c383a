/**
 * Reads the files of one WASSA split into turns ordered by conversation, then turn number
 * (2023 files sort `turn_id` as text: 0, 1, 10, 11, …, 2).
 */
import type { RowIssueCollector } from '../../../core/data/row-issues.js';
import type { SplitFiles } from './layout.js';
import type { ScoreKey } from './scores.js';
import { readTable } from './table.js';
import { parseTurn, type WassaTurn } from './turn.js';

export interface SplitReadOptions {
  issues: RowIssueCollector;
  /** Path as the user should see it (provenance, errors). */
  label(path: string): string;
}

export async function readSplitTurns(files: SplitFiles, options: SplitReadOptions): Promise<WassaTurn[]> {
  const turns: WassaTurn[] = [];
  for (const path of files.data) {
    const table = await readTable(path, { issues: options.issues, label: options.label(path), escape: escapeFor(path) });
    const gold = files.gold ? await readGold(files.gold.file, files.gold.columns, table.total, options) : undefined;
    for (const record of table.records) {
      const parsed = parseTurn(record, gold?.[record.index]);
      if (parsed.ok) turns.push(parsed.turn);
      else options.issues.report(parsed.issue);
    }
  }
  return orderByConversation(turns);
}

/** WASSA 2024 CSVs escape quotes as `\"`; the 2023 TSVs and other files double them (RFC 4180). */
function escapeFor(path: string): string {
  return /(trac2_CONVT_|goldstandard_CONVT)[^/\\]*\.csv$/i.test(path) ? '\\' : '"';
}

async function readGold(
  path: string,
  columns: readonly ScoreKey[],
  expectedRows: number,
  options: SplitReadOptions,
): Promise<Partial<Record<ScoreKey, string>>[]> {
  const table = await readTable(path, { issues: options.issues, label: options.label(path), columns });
  if (table.total !== expectedRows) {
    throw new Error(
      `${options.label(path)} has ${table.total} rows but its data file has ${expectedRows}; the gold file must be row-aligned with the data file (same rows, same order).`,
    );
  }
  const byIndex: Partial<Record<ScoreKey, string>>[] = [];
  for (const record of table.records) byIndex[record.index] = record.value as Partial<Record<ScoreKey, string>>;
  return byIndex;
}

function orderByConversation(turns: WassaTurn[]): WassaTurn[] {
  const firstSeen = new Map<string, number>();
  for (const turn of turns) if (!firstSeen.has(turn.conversationId)) firstSeen.set(turn.conversationId, firstSeen.size);
  return turns
    .map((turn, position) => ({ turn, position }))
    .sort(
      (a, b) =>
        firstSeen.get(a.turn.conversationId)! - firstSeen.get(b.turn.conversationId)! ||
        a.turn.turn - b.turn.turn ||
        a.position - b.position,
    )
    .map(({ turn }) => turn);
}
