/**
 * One call for the Hugging Face per-split file formats: Parquet, JSON Lines / JSON, CSV, TSV
 * (with a header), chosen by extension. Every row comes back as an object keyed by column.
 */
import { extname } from 'node:path';
import { readDelimited } from './delimited.js';
import { DataFileError, readJsonRecords } from './json.js';
import { readParquet } from './parquet.js';
import type { RowIssueCollector } from '../row-issues.js';
import type { SourceRecord } from './record.js';

export const tableExtensions = ['.parquet', '.jsonl', '.json', '.csv', '.tsv'] as const;

export async function readTable(file: string, issues: RowIssueCollector): Promise<SourceRecord<Record<string, unknown>>[]> {
  const extension = extname(file).toLowerCase();
  switch (extension) {
    case '.parquet':
      return readParquet(file, issues);
    case '.jsonl':
    case '.json':
      return readJsonRecords(file, issues).flatMap((record) => {
        const { value } = record;
        if (value && typeof value === 'object' && !Array.isArray(value)) {
          return [{ ...record, value: value as Record<string, unknown> }];
        }
        issues.report({ file, row: record.row, reason: `expected a JSON object per row, got ${Array.isArray(value) ? 'an array' : typeof value}` });
        return [];
      });
    case '.csv':
    case '.tsv':
      return readDelimited(file, { columns: 'first-line', issues }).records;
    default:
      throw new DataFileError(
        `${file}: unsupported file type '${extension || '(none)'}'`,
        `Give one of ${tableExtensions.join(', ')}.`,
      );
  }
}
