/**
 * CSV/TSV reading on csv-parse, with every record located by the line it starts on.
 *
 * Rows whose column count differs from the header, and rows csv-parse cannot parse (a
 * stray quote), go to the RowIssueCollector instead of stopping the load; they still count
 * in each record's `index` and the table's `total`, which row-aligned label files rely on.
 */
import { parse, type Options } from 'csv-parse/sync';
import type { RowIssueCollector } from '../row-issues.js';
import type { SourceRecord } from './record.js';
import { readDataText, rowTextProblem, rowTooLong } from './data-text.js';

export interface DelimitedOptions {
  /** Field separator; default: tab for `.tsv`, comma otherwise. */
  delimiter?: string;
  /** `'first-line'`: the file has a header; an array: the file has none and these are the names. */
  columns: 'first-line' | readonly string[];
  /**
   * Quote character, or `false` for formats that never quote (original EmpatheticDialogues
   * escapes commas as `_comma_` and has stray `"` in text). Default `"`.
   */
  quote?: string | false;
  /**
   * Escape character inside quoted fields. Default `"` (RFC 4180 doubling, `""`); WASSA 2024
   * CSVs write `\"`, which a doubling parser mis-splits, so they need `'\\'`.
   */
  escape?: string;
  /**
   * Parse each physical line on its own. Right for formats that never put a newline inside a
   * field (GoEmotions TSV, ED CSV): a malformed line then costs only itself, whereas a
   * multi-line parse can swallow everything after a stray quote.
   */
  lineOriented?: boolean;
  issues: RowIssueCollector;
}

export interface DelimitedRecord extends SourceRecord<Record<string, string>> {
  /**
   * 0-based position among the file's data rows (header excluded), malformed rows counted:
   * a headerless label file that is row-aligned with a data file is matched by it.
   */
  index: number;
}

export interface DelimitedTable {
  columns: string[];
  records: DelimitedRecord[];
  /** Data rows in the file (header excluded), malformed ones included. */
  total: number;
}

/** A parsed record, or a line the parser gave up on; kept in file order so issues are too. */
type ParsedRecord = { fields: string[]; line: number; failure?: undefined } | { fields?: undefined; line: number; failure: string };

export function readDelimited(file: string, options: DelimitedOptions): DelimitedTable {
  const data = readDataText(file);
  const text = data.text;
  const delimiter = options.delimiter ?? (file.toLowerCase().endsWith('.tsv') ? '\t' : ',');
  const parsed = options.lineOriented
    ? parseLineByLine(text, delimiter, options)
    : parseWhole(text, delimiter, options);

  let columns: string[];
  let body: ParsedRecord[];
  if (options.columns === 'first-line') {
    const header = parsed[0];
    if (!header) return { columns: [], records: [], total: 0 };
    if (header.failure !== undefined) {
      options.issues.report({ file, row: header.line, reason: `unparseable header (${header.failure})` });
      return { columns: [], records: [], total: 0 };
    }
    columns = header.fields.map((c) => c.trim());
    body = parsed.slice(1);
  } else {
    columns = [...options.columns];
    body = parsed;
  }

  const records: DelimitedRecord[] = [];
  for (const [index, { fields, line, failure }] of body.entries()) {
    if (failure !== undefined) {
      options.issues.report({ file, row: line, reason: failure });
      continue;
    }
    const problem = rowTextProblem(fields, data, options.issues.maxRowChars);
    if (problem) {
      options.issues.report({ file, row: line, reason: problem });
      continue;
    }
    if (fields.length !== columns.length) {
      options.issues.report({
        file,
        row: line,
        reason: `expected ${columns.length} columns (${columns.join(', ')}), got ${fields.length}`,
      });
      continue;
    }
    const value: Record<string, string> = {};
    columns.forEach((name, i) => (value[name] = fields[i]!));
    records.push({ file, row: line, index, value });
  }
  return { columns, records, total: body.length };
}

function baseOptions(delimiter: string, options: DelimitedOptions): Options {
  return {
    delimiter,
    quote: options.quote === false ? false : (options.quote ?? '"'),
    escape: options.escape ?? '"',
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
  };
}

function parseWhole(text: string, delimiter: string, options: DelimitedOptions): ParsedRecord[] {
  const out: ParsedRecord[] = [];
  const rows = parse(text, {
    ...baseOptions(delimiter, options),
    info: true,
    raw: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      out.push({ line: Number(error?.lines ?? 0), failure: `unparseable CSV (${error?.code ?? 'error'}: ${error?.message ?? ''})` });
    },
  }) as unknown as { record: string[]; info: { lines: number }; raw: string }[];
  for (const { record, info, raw } of rows) {
    // info.lines is the line the record ends on; a quoted field may span several lines, and
    // `raw` also holds the blank lines skipped before the record, which are not part of it.
    const innerNewlines = (raw.replace(/^(\r?\n)+/, '').replace(/\r?\n$/, '').match(/\n/g) ?? []).length;
    out.push({ fields: record, line: info.lines - innerNewlines });
  }
  // Skipped records were collected while parsing, before the good ones came back.
  return out.sort((a, b) => a.line - b.line);
}

function parseLineByLine(text: string, delimiter: string, options: DelimitedOptions): ParsedRecord[] {
  const out: ParsedRecord[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    if (line.length > options.issues.maxRowChars) {
      out.push({ line: i + 1, failure: rowTooLong(line.length, options.issues.maxRowChars) });
      return;
    }
    try {
      const rows = parse(line, baseOptions(delimiter, options)) as string[][];
      for (const fields of rows) out.push({ fields, line: i + 1 });
    } catch (error) {
      out.push({ line: i + 1, failure: `unparseable line (${(error as Error).message})` });
    }
  });
  return out;
}
