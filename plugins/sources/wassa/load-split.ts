/**
 * Reads the files of one WASSA split into turns ordered by conversation, then turn number
 * (2023 files sort `turn_id` as text: 0, 1, 10, 11, …, 2).
 */
import { DataFileError, readDelimited, readTable } from 'attune/data';
import type { RowIssueCollector, SourceRecord } from 'attune/data';
import type { GoldFile, SplitFiles } from './layout.js';
import type { ScoreKey } from './scores.js';
import { parseTurn, type WassaTurn } from './turn.js';

export interface SplitReadOptions {
  issues: RowIssueCollector;
  /** Path as the user should see it (errors). */
  label(path: string): string;
}

type GoldScores = Partial<Record<ScoreKey, string>>;

interface LabelledRecord {
  record: SourceRecord<Record<string, unknown>>;
  /** The record's row of the split's gold file, when it has one. */
  gold: GoldScores | undefined;
}

export async function readSplitTurns(files: SplitFiles, options: SplitReadOptions): Promise<WassaTurn[]> {
  const turns: WassaTurn[] = [];
  for (const path of files.data) {
    for (const { record, gold } of await readRecords(path, files.gold, options)) {
      const parsed = parseTurn(record, gold);
      if (parsed.ok) turns.push(parsed.turn);
      else options.issues.report(parsed.issue);
    }
  }
  return orderByConversation(turns);
}

/** Gold files only come with the releases' own CSV/TSV data files (see layout.ts). */
async function readRecords(path: string, gold: GoldFile | undefined, options: SplitReadOptions): Promise<LabelledRecord[]> {
  if (!/\.(csv|tsv)$/i.test(path)) return (await readTable(path, options.issues)).map((record) => ({ record, gold: undefined }));
  const table = readDelimited(path, { columns: 'first-line', escape: quoteEscapeFor(path), issues: options.issues });
  const scores = gold ? readGold(gold, table.total, options) : [];
  return table.records.map((record) => ({ record, gold: scores[record.index] }));
}

/** WASSA 2024 CSVs escape quotes as `\"`; the 2023 TSVs and other files double them (RFC 4180). */
export function quoteEscapeFor(path: string): string {
  return /(trac2_CONVT_|goldstandard_CONVT)[^/\\]*\.csv$/i.test(path) ? '\\' : '"';
}

/** The gold file's rows by position, which is how they are matched to the data file's rows. */
function readGold(gold: GoldFile, expectedRows: number, options: SplitReadOptions): GoldScores[] {
  const table = readDelimited(gold.file, { columns: gold.columns, issues: options.issues });
  if (table.total !== expectedRows) {
    throw new DataFileError(
      `${options.label(gold.file)} has ${table.total} rows but its data file has ${expectedRows}; the gold file must be row-aligned with the data file (same rows, same order).`,
    );
  }
  const byIndex: GoldScores[] = [];
  for (const record of table.records) byIndex[record.index] = record.value;
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
