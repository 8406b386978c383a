/**
 * Rows of an ED file, whichever format it is. The original CSV never quotes (commas are
 * written `_comma_`, and stray `"` are text), so it is read unquoted, line by line.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { extname } from 'node:path';
import { DataFileError, readDelimited, readTable } from 'attune/data';
import type { RowIssueCollector, SourceRecord } from 'attune/data';
import { originalColumns, v2Columns } from './layout.js';

export type EdFileKind = 'original' | 'v2';

export interface EdRows {
  kind: EdFileKind;
  records: SourceRecord<Record<string, unknown>>[];
}

export async function readEdRows(file: string, issues: RowIssueCollector): Promise<EdRows> {
  const records = extname(file).toLowerCase() === '.csv' ? readCsv(file, issues) : await readTable(file, issues);
  const first = records[0]?.value ?? {};
  if ('conv_id' in first && 'utterance' in first) return { kind: 'original', records };
  if ('chat_history' in first && 'sys_response' in first) return { kind: 'v2', records };
  if (records.length === 0) return { kind: 'original', records };
  throw new DataFileError(
    `${file}: columns ${Object.keys(first).join(', ')} are neither the original EmpatheticDialogues columns nor the ED-v2 columns`,
    `Expected ${originalColumns.join(', ')} (original / HF) or ${v2Columns.join(', ')} (ED-v2).`,
  );
}

function readCsv(file: string, issues: RowIssueCollector): SourceRecord<Record<string, unknown>>[] {
  // ED-v2 CSVs are ordinary quoted CSV (a history may span lines); the original never quotes.
  const isOriginal = firstLine(file).split(',').map((c) => c.trim()).includes('conv_id');
  return isOriginal
    ? readDelimited(file, { columns: 'first-line', quote: false, lineOriented: true, issues }).records
    : readDelimited(file, { columns: 'first-line', issues }).records;
}

function firstLine(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, length).toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '';
  } finally {
    closeSync(fd);
  }
}
