/** Texts to score, from a .txt file (one per line) or a .jsonl file (one object per line with a text field). */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { AttuneError } from '../../base/errors.js';

export async function readTexts(file: string, field = 'text'): Promise<string[]> {
  const ext = extname(file).toLowerCase();
  if (ext !== '.txt' && ext !== '.jsonl') throw new AttuneError(`${file}: unsupported file type '${ext || '(none)'}'`, 'use .txt (one text per line) or .jsonl (one JSON object per line with a text field)');
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    throw new AttuneError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const lines = content.split(/\r?\n/);
  const texts: string[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    if (ext === '.txt') {
      texts.push(line);
      return;
    }
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (error) {
      throw new AttuneError(`${file}:${i + 1}: not valid JSON (${(error as Error).message})`);
    }
    const value = typeof row === 'object' && row !== null ? (row as Record<string, unknown>)[field] : undefined;
    if (typeof value !== 'string') {
      throw new AttuneError(`${file}:${i + 1}: expected a string field "${field}", got ${value === undefined ? 'none' : typeof value}`, 'each line must be an object like {"text": "..."}');
    }
    texts.push(value);
  });
  if (texts.length === 0) throw new AttuneError(`${file}: no texts (the file is empty or has only blank lines)`);
  return texts;
}
