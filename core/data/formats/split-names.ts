/**
 * Split names differ between releases (`valid`, `dev`, `validation`); Attune calls them
 * `train`, `validation` and `test` and accepts the others as aliases.
 */
import { basename } from 'node:path';

export const canonicalSplits = ['train', 'validation', 'test'] as const;

const aliases: Record<string, string> = {
  train: 'train',
  training: 'train',
  validation: 'validation',
  valid: 'validation',
  val: 'validation',
  dev: 'validation',
  test: 'test',
};

/** `valid`/`dev`/`val` → `validation`; unknown names pass through unchanged (lower-cased). */
export function normalizeSplit(split: string): string {
  const lower = split.trim().toLowerCase();
  return aliases[lower] ?? lower;
}

/** Every spelling that means `split` in file names, canonical first. */
export function splitSpellings(split: string): string[] {
  const canonical = normalizeSplit(split);
  const spellings = Object.entries(aliases)
    .filter(([, value]) => value === canonical)
    .map(([key]) => key);
  return [canonical, ...spellings.filter((s) => s !== canonical)];
}

/**
 * The split a single file holds, judged by its name (`valid.csv`, `test-00000-of-00001.parquet`,
 * `train_prefix.csv`); a name that mentions no split is taken to be training data.
 */
export function splitFromFileName(file: string): string {
  const words = basename(file).toLowerCase().split(/[^a-z]+/).filter(Boolean);
  for (const word of words) {
    const split = aliases[word];
    if (split) return split;
  }
  return 'train';
}
