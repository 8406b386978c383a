/**
 * ESConv dialog objects from a JSON array (original release), JSON Lines (HF split files)
 * or Parquet/JSONL rows whose `text` column holds the dialog as a JSON string (HF viewer).
 */
import { extname } from 'node:path';
import { readJsonRecords, readTable } from 'attune/data';
import type { RowIssueCollector, SourceRecord } from 'attune/data';

export async function readDialogObjects(file: string, issues: RowIssueCollector): Promise<SourceRecord<Record<string, unknown>>[]> {
  const records: SourceRecord<unknown>[] = extname(file).toLowerCase() === '.parquet' ? await readTable(file, issues) : readJsonRecords(file, issues);
  const out: SourceRecord<Record<string, unknown>>[] = [];
  for (const record of records) {
    const value = unwrap(record, issues);
    if (value) out.push({ ...record, value });
  }
  return out;
}

function unwrap({ file, row, value }: SourceRecord<unknown>, issues: RowIssueCollector): Record<string, unknown> | undefined {
  if (!isObject(value)) {
    issues.report({ file, row, reason: `expected a dialog object, got ${Array.isArray(value) ? 'an array' : typeof value}` });
    return undefined;
  }
  if (value.dialog === undefined && typeof value.text === 'string') {
    try {
      const inner: unknown = JSON.parse(value.text);
      if (isObject(inner)) return inner;
      issues.report({ file, row, field: 'text', reason: 'the text column does not hold a JSON dialog object' });
    } catch (error) {
      issues.report({ file, row, field: 'text', reason: `invalid JSON in the text column (${(error as Error).message})` });
    }
    return undefined;
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
