/**
 * JSON readers: JSON Lines (one value per line; a bad line is a bad row) and JSON arrays
 * (a file that does not parse is a bad file, located by line and column).
 * `readJsonRecords` tells the two apart by the first character, because releases name JSON
 * Lines files `.json` (ESConv's train.json) as often as `.jsonl`.
 */
import { RowIssueCollector } from '../row-issues.js';
import { DataFileError } from './data-file-error.js';
import { readDataText, rowTextProblem, rowTooLong, type DataText } from './data-text.js';
import type { SourceRecord } from './record.js';

export { DataFileError };

export function readJsonLines(file: string, issues: RowIssueCollector): SourceRecord<unknown>[] {
  return parseJsonLines(readDataText(file), issues);
}

/** Without a collector, a row that breaks the row rules stops the read with a located error. */
export function readJsonArray(file: string, issues: RowIssueCollector = new RowIssueCollector('fail')): SourceRecord<unknown>[] {
  const data = readDataText(file);
  return checkedElements(parseJsonArray(data.text, file), data, issues);
}

/** A JSON array file or a JSON Lines file, whichever `file` holds. */
export function readJsonRecords(file: string, issues: RowIssueCollector): SourceRecord<unknown>[] {
  const data = readDataText(file);
  return data.text.trimStart().startsWith('[') ? checkedElements(parseJsonArray(data.text, file), data, issues) : parseJsonLines(data, issues);
}

function parseJsonLines(data: DataText, issues: RowIssueCollector): SourceRecord<unknown>[] {
  const { file } = data;
  const out: SourceRecord<unknown>[] = [];
  data.text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    // Length before parsing, so a 50 MB line costs a comparison, not a parse; the rest after.
    if (line.length > issues.maxRowChars) {
      issues.report({ file, row: i + 1, reason: rowTooLong(line.length, issues.maxRowChars) });
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(line) as unknown;
    } catch (error) {
      issues.report({ file, row: i + 1, reason: `invalid JSON (${(error as Error).message})` });
      return;
    }
    // Checked on the parsed strings: escapes (\u0000) only become what they are once parsed.
    const problem = rowTextProblem(stringsIn(value), data, issues.maxRowChars);
    if (problem) issues.report({ file, row: i + 1, reason: problem });
    else out.push({ file, row: i + 1, value });
  });
  return out;
}

/** The array's elements without those whose text breaks the row rules (too long, NUL, bad bytes). */
function checkedElements(records: SourceRecord<unknown>[], data: DataText, issues: RowIssueCollector): SourceRecord<unknown>[] {
  return records.filter((record) => {
    const problem = rowTextProblem(stringsIn(record.value), data, issues.maxRowChars);
    if (problem) issues.report({ file: record.file, row: record.row, reason: problem });
    return !problem;
  });
}

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

function parseJsonArray(text: string, file: string): SourceRecord<unknown>[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    throw new DataFileError(
      `${file} is not valid JSON${locate(text, message)}: ${message}`,
      'A JSON array file must parse as a whole; fix the file or convert it to JSON Lines (one object per line) so bad rows can be skipped.',
    );
  }
  if (!Array.isArray(value)) {
    throw new DataFileError(`${file}: expected a JSON array of records, got ${typeof value}`, 'Give a file whose top level is [ {...}, {...} ] or a JSON Lines file.');
  }
  return value.map((item: unknown, i) => ({ file, row: i + 1, value: item }));
}

/** V8 reports a character position; people want a line. */
function locate(text: string, message: string): string {
  const match = /position (\d+)/.exec(message);
  if (!match) return '';
  const position = Number(match[1]);
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return ` at line ${line}, column ${column}`;
}
