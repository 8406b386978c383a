/**
 * A .jsonl file's rows, each with its 1-based line number for located errors: blank lines are
 * skipped; an unreadable file, a line that is not JSON, or a file without rows is an AttuneError
 * naming the file (and line).
 */
import { readFile } from 'node:fs/promises';
import { AttuneError } from './errors.js';

export interface JsonlRow {
  readonly line: number;
  readonly value: unknown;
}

export async function readJsonlFile(file: string, rowsAre = 'rows'): Promise<JsonlRow[]> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    throw new AttuneError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const rows: JsonlRow[] = [];
  content.split(/\r?\n/).forEach((text, i) => {
    if (text.trim() === '') return;
    try {
      rows.push({ line: i + 1, value: JSON.parse(text) as unknown });
    } catch (error) {
      throw new AttuneError(`${file}:${i + 1}: not valid JSON (${(error as Error).message})`);
    }
  });
  if (rows.length === 0) throw new AttuneError(`${file}: no ${rowsAre} (the file is empty or has only blank lines)`);
  return rows;
}
