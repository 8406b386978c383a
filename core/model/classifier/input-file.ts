/** Classifier inputs from a .jsonl file: one object per line with a `text` string and an optional `pair` string. */
import { AttuneError } from '../../base/errors.js';
import { readJsonlFile } from '../../base/jsonl-file.js';
import type { ClassifierInput } from './classifier-encode.js';

export async function readClassifierInputs(file: string, fields: { text: string; pair: string } = { text: 'text', pair: 'pair' }): Promise<ClassifierInput[]> {
  if (!file.toLowerCase().endsWith('.jsonl')) throw new AttuneError(`${file}: expected a .jsonl file`, `one JSON object per line, e.g. {"${fields.text}": "…", "${fields.pair}": "…"}`);
  return (await readJsonlFile(file)).map(({ line, value }) => {
    const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
    const text = record[fields.text];
    const pair = record[fields.pair];
    if (typeof text !== 'string') throw new AttuneError(`${file}:${line}: expected a string field "${fields.text}", got ${text === undefined ? 'none' : JSON.stringify(text)}`);
    if (pair !== undefined && pair !== null && typeof pair !== 'string') throw new AttuneError(`${file}:${line}: field "${fields.pair}" must be a string when present, got ${JSON.stringify(pair)}`);
    return typeof pair === 'string' ? { text, pair } : { text };
  });
}
