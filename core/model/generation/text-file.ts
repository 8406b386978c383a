/** Texts to score, from a .txt file (one per line) or a .jsonl file (one object per line with a text field). */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { AttuneError } from '../../base/errors.js';
import { readJsonlFile } from '../../base/jsonl-file.js';

export async function readTexts(file: string, field = 'text'): Promise<string[]> {
  const ext = extname(file).toLowerCase();
  if (ext !== '.txt' && ext !== '.jsonl') throw new AttuneError(`${file}: unsupported file type '${ext || '(none)'}'`, 'use .txt (one text per line) or .jsonl (one JSON object per line with a text field)');
  if (ext === '.jsonl') {
    return (await readJsonlFile(file, 'texts')).map(({ line, value }) => {
      const text = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[field] : undefined;
      if (typeof text !== 'string') {
        throw new AttuneError(`${file}:${line}: expected a string field "${field}", got ${text === undefined ? 'none' : typeof text}`, 'each line must be an object like {"text": "..."}');
      }
      return text;
    });
  }
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    throw new AttuneError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const texts = content.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (texts.length === 0) throw new AttuneError(`${file}: no texts (the file is empty or has only blank lines)`);
  return texts;
}
