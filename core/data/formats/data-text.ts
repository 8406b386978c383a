/**
 * Reading a data file's text the same careful way in every reader: a folder or an unreadable
 * file where a data file belongs is a located error (not EISDIR), bytes that are not UTF-8 are
 * noticed instead of silently becoming U+FFFD, and each row can be checked for what would
 * corrupt an experiment or cost unbounded work downstream (NUL bytes, mis-decoded bytes, a row
 * far longer than any real conversation — a 50 MB row overflowed the tokenizer's stack).
 */
import { readFileSync, statSync } from 'node:fs';
import { DataFileError } from './data-file-error.js';

/** The default cap on one row's text, in characters: ~30× the longest row of the real releases. */
export const DEFAULT_MAX_ROW_CHARS = 1_000_000;

export interface DataText {
  file: string;
  text: string;
  /** The file held bytes that are not UTF-8; rows holding U+FFFD are where they were. */
  invalidUtf8: boolean;
}

/** Throws a located DataFileError unless `file` is a file (not a folder) that exists. */
export function assertDataFile(file: string): void {
  let isFolder: boolean;
  try {
    isFolder = statSync(file).isDirectory();
  } catch (error) {
    throw new DataFileError(`${file} cannot be read: ${(error as Error).message}.`, 'Check that the file exists and is readable.');
  }
  if (isFolder) throw new DataFileError(`${file} is a folder where a data file was expected.`, 'Point the source at the file itself, or move the folder out of the dataset folder.');
}

export function readDataText(file: string): DataText {
  assertDataFile(file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new DataFileError(`${file} cannot be read: ${(error as Error).message}.`, 'Check that the file is readable.');
  }
  let text: string;
  let invalidUtf8 = false;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    invalidUtf8 = true;
    text = new TextDecoder('utf-8').decode(bytes);
  }
  // TextDecoder drops a leading BOM itself unless told otherwise.
  return { file, text, invalidUtf8 };
}

/** What is wrong with one row's text (its fields or strings), or undefined. */
export function rowTextProblem(texts: readonly string[], source: Pick<DataText, 'invalidUtf8'>, maxRowChars: number): string | undefined {
  let length = 0;
  for (const text of texts) length += text.length;
  if (length > maxRowChars) return rowTooLong(length, maxRowChars);
  for (const text of texts) {
    if (text.includes('\u0000')) return 'the row contains a NUL byte (binary data, or a file in UTF-16); the row is skipped';
    if (source.invalidUtf8 && text.includes('\uFFFD')) return 'the row contains bytes that are not valid UTF-8 (is the file in another encoding, e.g. Latin-1 or Windows-1252? re-save it as UTF-8)';
  }
  return undefined;
}

export function rowTooLong(length: number, maxRowChars: number): string {
  return `the row is ${length.toLocaleString('en-US')} characters long, over the limit of ${maxRowChars.toLocaleString('en-US')} (raise the source option maxRowChars if such rows are real)`;
}
