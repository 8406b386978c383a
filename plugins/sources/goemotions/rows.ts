/**
 * GoEmotions rows from either layout, as { text, label ids, comment id }, with malformed
 * rows (wrong column count, empty text, unknown label id) reported to the collector.
 */
import { extname } from 'node:path';
import { readDelimited, readTable } from 'attune/data';
import type { RowIssueCollector, SourceRecord } from 'attune/data';

export interface GoEmotionsRow {
  file: string;
  row: number;
  text: string;
  /** Label names in the order the row lists them. */
  labels: string[];
  commentId: string;
}

export async function readGoEmotionsFile(file: string, names: readonly string[], issues: RowIssueCollector): Promise<GoEmotionsRow[]> {
  const records: SourceRecord<Record<string, unknown>>[] =
    extname(file).toLowerCase() === '.tsv'
      ? readDelimited(file, { columns: ['text', 'labels', 'id'], lineOriented: true, issues }).records
      : await readTable(file, issues);
  const rows: GoEmotionsRow[] = [];
  for (const record of records) {
    const row = toRow(record, names, issues);
    if (row) rows.push(row);
  }
  return rows;
}

function toRow({ file, row, value }: SourceRecord<Record<string, unknown>>, names: readonly string[], issues: RowIssueCollector): GoEmotionsRow | undefined {
  const text = typeof value.text === 'string' ? value.text.trim() : '';
  if (!text) {
    issues.report({ file, row, field: 'text', reason: 'empty text' });
    return undefined;
  }
  const raw = value.labels;
  if (raw === undefined) {
    issues.report({ file, row, field: 'labels', reason: 'missing labels column (the raw per-rater config is not supported; use the simplified one)' });
    return undefined;
  }
  const parts = Array.isArray(raw) ? raw.map((p: unknown) => String(p).trim()) : String(raw).split(',').map((p) => p.trim());
  const labels: string[] = [];
  for (const part of parts) {
    const name = labelName(part, names);
    if (!name) {
      issues.report({ file, row, field: 'labels', reason: `unknown label '${part}' (expected an id 0..${names.length - 1} or a GoEmotions label name)` });
      return undefined;
    }
    if (!labels.includes(name)) labels.push(name);
  }
  if (labels.length === 0) {
    issues.report({ file, row, field: 'labels', reason: 'no labels' });
    return undefined;
  }
  const commentId = value.id === undefined || value.id === null || value.id === '' ? `row${row}` : String(value.id);
  return { file, row, text, labels, commentId };
}

function labelName(part: string, names: readonly string[]): string | undefined {
  if (/^\d+$/.test(part)) return names[Number(part)];
  return names.includes(part) ? part : undefined;
}
