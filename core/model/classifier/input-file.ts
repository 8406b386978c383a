/** Classifier inputs from a .jsonl file: one object per line with a `text` string and an optional `pair` string. */
import { readFile } from 'node:fs/promises';
import { AttuneError } from '../../base/errors.js';
import type { ClassifierInput } from './classifier-encode.js';

export async function readClassifierInputs(file: string, fields: { text: string; pair: string } = { text: 'text', pair: 'pair' }): Promise<ClassifierInput[]> {
  if (!file.toLowerCase().endsWith('.jsonl')) throw new AttuneError(`${file}: expected a .jsonl file`, `one JSON object per line, e.g. {"${fields.text}": "…", "${fields.pair}": "…"}`);
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    throw new AttuneError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const inputs: ClassifierInput[] = [];
  content.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (error) {
      throw new AttuneError(`${file}:${i + 1}: not valid JSON (${(error as Error).message})`);
    }
    const record = typeof row === 'object' && row !== null && !Array.isArray(row) ? (row as Record<string, unknown>) : {};
    const text = record[fields.text];
    const pair = record[fields.pair];
    if (typeof text !== 'string') throw new AttuneError(`${file}:${i + 1}: expected a string field "${fields.text}", got ${text === undefined ? 'none' : JSON.stringify(text)}`);
    if (pair !== undefined && pair !== null && typeof pair !== 'string') throw new AttuneError(`${file}:${i + 1}: field "${fields.pair}" must be a string when present, got ${JSON.stringify(pair)}`);
    inputs.push(typeof pair === 'string' ? { text, pair } : { text });
  });
  if (inputs.length === 0) throw new AttuneError(`${file}: no rows (the file is empty or has only blank lines)`);
  return inputs;
}
