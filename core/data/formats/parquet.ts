/**
 * Parquet reading via hyparquet (pure JS; Hugging Face's converted datasets are Parquet).
 * INT64 columns come back as BigInt; label ids and counts fit a double, so they are
 * converted to numbers here and every source sees plain JSON-like values.
 */
import { RowIssueCollector } from '../row-issues.js';
import { assertDataFile, rowTextProblem } from './data-text.js';
import type { SourceRecord } from './record.js';

/** Rows whose text breaks the row rules (too long, NUL bytes) go to `issues`; without one they stop the read. */
export async function readParquet(file: string, issues: RowIssueCollector = new RowIssueCollector('fail')): Promise<SourceRecord<Record<string, unknown>>[]> {
  assertDataFile(file);
  // Loaded on first use, so `attune/data` stays cheap to import.
  const { asyncBufferFromFile, parquetReadObjects } = await import('hyparquet');
  const buffer = await asyncBufferFromFile(file);
  const rows = await parquetReadObjects({ file: buffer });
  const out: SourceRecord<Record<string, unknown>>[] = [];
  rows.forEach((row, i) => {
    const value = toPlain(row) as Record<string, unknown>;
    // Parquet strings are UTF-8 by the format's own rules; what can still be wrong is size and NULs.
    const problem = rowTextProblem(Object.values(value).filter((v): v is string => typeof v === 'string'), { invalidUtf8: false }, issues.maxRowChars);
    if (problem) issues.report({ file, row: i + 1, reason: problem });
    else out.push({ file, row: i + 1, value });
  });
  return out;
}

function toPlain(value: unknown): unknown {
  if (typeof value === 'bigint') {
    const asNumber = Number(value);
    return Number.isSafeInteger(asNumber) ? asNumber : value.toString();
  }
  if (Array.isArray(value)) return value.map(toPlain);
  if (value instanceof Date || value instanceof Uint8Array) return value;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  }
  return value;
}
