/**
 * Parquet reading via hyparquet (pure JS; Hugging Face's converted datasets are Parquet).
 * INT64 columns come back as BigInt; label ids and counts fit a double, so they are
 * converted to numbers here and every source sees plain JSON-like values.
 */
import type { SourceRecord } from './record.js';

export async function readParquet(file: string): Promise<SourceRecord<Record<string, unknown>>[]> {
  // Loaded on first use, so `attune/data` stays cheap to import.
  const { asyncBufferFromFile, parquetReadObjects } = await import('hyparquet');
  const buffer = await asyncBufferFromFile(file);
  const rows = await parquetReadObjects({ file: buffer });
  return rows.map((row, i) => ({ file, row: i + 1, value: toPlain(row) as Record<string, unknown> }));
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
