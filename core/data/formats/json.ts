/**
 * JSON readers: JSON Lines (one value per line; a bad line is a bad row) and JSON arrays
 * (a file that does not parse is a bad file, located by line and column).
 * `readJsonRecords` tells the two apart by the first character, because releases name JSON
 * Lines files `.json` (ESConv's train.json) as often as `.jsonl`.
 */
import { readFileSync } from 'node:fs';
import { AttuneError } from '../../base/errors.js';
import type { RowIssueCollector } from '../row-issues.js';
import type { SourceRecord } from './record.js';

export class DataFileError extends AttuneError {
  override name = 'DataFileError';
}

export function readJsonLines(file: string, issues: RowIssueCollector): SourceRecord<unknown>[] {
  return parseJsonLines(readText(file), file, issues);
}

export function readJsonArray(file: string): SourceRecord<unknown>[] {
  return parseJsonArray(readText(file), file);
}

/** A JSON array file or a JSON Lines file, whichever `file` holds. */
export function readJsonRecords(file: string, issues: RowIssueCollector): SourceRecord<unknown>[] {
  const text = readText(file);
  return text.trimStart().startsWith('[') ? parseJsonArray(text, file) : parseJsonLines(text, file, issues);
}

function parseJsonLines(text: string, file: string, issues: RowIssueCollector): SourceRecord<unknown>[] {
  const out: SourceRecord<unknown>[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push({ file, row: i + 1, value: JSON.parse(line) as unknown });
    } catch (error) {
      issues.report({ file, row: i + 1, reason: `invalid JSON (${(error as Error).message})` });
    }
  });
  return out;
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

function readText(file: string): string {
  const text = readFileSync(file, 'utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
