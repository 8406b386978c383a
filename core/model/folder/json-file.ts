import { describeZodIssue } from '../../base/zod-issue.js';
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { ModelFolderError } from './errors.js';

/** Reads a JSON file; `undefined` when it does not exist and `optional` is set. */
export async function readJsonFile(path: string, optional: true): Promise<unknown>;
export async function readJsonFile(path: string, optional?: false): Promise<unknown>;
export async function readJsonFile(path: string, optional = false): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (optional && code === 'ENOENT') return undefined;
    throw new ModelFolderError(`${path}: cannot read (${code ?? (error as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ModelFolderError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

/** Validates with a zod schema and reports every issue as `file: key: message`. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, path: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.length ? issue.path.join('.') : '(root)'}: ${describeZodIssue(issue)}`);
  throw new ModelFolderError(`${path}: invalid contents\n${lines.join('\n')}`);
}
