/**
 * Reads one WASSA file (CSV, TSV, JSONL/JSON or Parquet) into located records.
 *
 * WASSA 2024 CSVs escape quotes with a backslash (`\"`), which RFC-4180 parsers mis-split,
 * so the caller chooses the escape character per file. Rows with the wrong column count or
 * bad JSON go to the RowIssueCollector with their 1-based line.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { parquetReadObjects } from 'hyparquet';
import type { RowIssueCollector } from '../../../core/data/row-issues.js';

export interface TableRecord {
  /** The file as it should appear in provenance and errors. */
  file: string;
  /** CSV/TSV: the line the record starts on (header = 1); JSONL: the line; JSON/Parquet: index + 1. */
  row: number;
  /** 0-based position among the file's data rows, malformed ones counted (aligns row-aligned gold files). */
  index: number;
  value: Record<string, unknown>;
}

export interface TableOptions {
  issues: RowIssueCollector;
  /** Name for provenance and errors (the path as the user wrote it); default: the path read. */
  label?: string;
  /** Escape character inside quoted fields; default `"` (RFC 4180 doubling). */
  escape?: string;
  /** Column names for a delimited file without a header row. */
  columns?: readonly string[];
}

export interface Table {
  records: TableRecord[];
  /** Data rows in the file, the malformed ones included (row-aligned gold files are checked against it). */
  total: number;
}

export async function readTable(path: string, options: TableOptions): Promise<Table> {
  const ext = extname(path).toLowerCase();
  const file = options.label ?? path;
  if (ext === '.parquet') return readParquet(path, file);
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  if (ext === '.jsonl') return readJsonLines(text, file, options.issues);
  if (ext === '.json') return readJsonArray(text, file, options.issues);
  return readDelimited(text, file, ext === '.tsv' ? '\t' : ',', options);
}

function readDelimited(text: string, file: string, delimiter: string, options: TableOptions): Table {
  let skipped = 0;
  const parsed = parse(text, {
    delimiter,
    escape: options.escape ?? '"',
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
    raw: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      skipped++;
      const line = Number((error as { lines?: unknown } | undefined)?.lines ?? 0);
      options.issues.report({ file, row: line, reason: `unparseable CSV (${error?.message ?? 'unknown error'})` });
    },
  }) as unknown as { record: string[]; info: { lines: number }; raw: string }[];
  const located = parsed.map(({ record, info, raw }) => ({
    fields: record,
    // info.lines is where the record ends; a quoted field may span several lines.
    line: info.lines - (raw.replace(/\r?\n$/, '').match(/\n/g) ?? []).length,
  }));
  const header = options.columns ? [...options.columns] : (located.shift()?.fields.map((c) => c.trim()) ?? []);
  const records: TableRecord[] = [];
  for (const [index, { fields, line }] of located.entries()) {
    if (fields.length !== header.length) {
      options.issues.report({ file, row: line, reason: `expected ${header.length} columns (${header.join(', ')}), got ${fields.length}` });
      continue;
    }
    const value: Record<string, unknown> = {};
    header.forEach((name, i) => (value[name] = fields[i]));
    records.push({ file, row: line, index, value });
  }
  return { records, total: located.length + skipped };
}

function readJsonLines(text: string, file: string, issues: RowIssueCollector): Table {
  const records: TableRecord[] = [];
  let total = 0;
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const index = total++;
    const value = parseJsonObject(line, file, i + 1, issues);
    if (value) records.push({ file, row: i + 1, index, value });
  });
  return { records, total };
}

function readJsonArray(text: string, file: string, issues: RowIssueCollector): Table {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${(error as Error).message}); expected an array of row objects or JSON Lines (.jsonl).`, { cause: error });
  }
  if (!Array.isArray(data)) throw new Error(`${file}: expected a JSON array of row objects, got ${typeof data}.`);
  const records: TableRecord[] = [];
  data.forEach((item: unknown, i) => {
    if (isPlainObject(item)) records.push({ file, row: i + 1, index: i, value: item });
    else issues.report({ file, row: i + 1, reason: `expected a JSON object, got ${Array.isArray(item) ? 'array' : typeof item}` });
  });
  return { records, total: data.length };
}

function parseJsonObject(line: string, file: string, row: number, issues: RowIssueCollector): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    issues.report({ file, row, reason: `bad JSON (${(error as Error).message})` });
    return undefined;
  }
  if (isPlainObject(value)) return value;
  issues.report({ file, row, reason: `expected a JSON object, got ${Array.isArray(value) ? 'array' : typeof value}` });
  return undefined;
}

async function readParquet(path: string, file: string): Promise<Table> {
  const bytes = readFileSync(path);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const rows = await parquetReadObjects({ file: buffer });
  return { records: rows.map((value, i) => ({ file, row: i + 1, index: i, value })), total: rows.length };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
