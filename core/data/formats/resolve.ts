/**
 * File-or-folder resolution. A source describes the layouts it understands (original
 * release, Hugging Face folder) as file patterns per split; `resolveSplitFiles` finds the
 * files for one split, and a miss names every layout that was looked for.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { AttuneError } from '../../base/errors.js';
import { canonicalSplits, normalizeSplit, splitFromFileName, splitSpellings } from './split-names.js';
import { assertDataFile } from './data-text.js';

export class DataLayoutError extends AttuneError {
  override name = 'DataLayoutError';
}

export interface DataLayout {
  /** Shown to people, e.g. `original EmpatheticDialogues release`. */
  name: string;
  /**
   * Canonical split name → file patterns relative to the folder, tried in order; the first
   * pattern that matches anything wins and all its matches are used (sorted), so sharded
   * Parquet (`train-00000-of-00002.parquet`, …) loads as one split. `*` matches within one
   * path segment.
   */
  splits: Record<string, readonly string[]>;
}

export interface ResolvedFiles {
  layout: string;
  files: string[];
}

/** Resolve a user-given path against the config's directory. */
export function resolveDataPath(path: string, baseDir: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/**
 * Hugging Face dataset folder patterns for a split: `train.parquet`, `train-*.parquet`,
 * `data/train-*.parquet`, `train/*.parquet`, `<config>/train[-*].parquet`,
 * `<config>/train/*.parquet` (the refs/convert/parquet branch), for each extension given,
 * each spelling of the split (`validation`, `valid`, `dev`, …).
 */
export function huggingFacePatterns(split: string, extensions: readonly string[]): string[] {
  const patterns: string[] = [];
  const names = splitSpellings(split);
  for (const ext of extensions) {
    // Plain file names first: they are what error messages show.
    for (const name of names) patterns.push(`${name}.${ext}`);
    for (const name of names) {
      patterns.push(`${name}-*.${ext}`, `data/${name}-*.${ext}`, `data/${name}.${ext}`, `${name}/*.${ext}`, `*/${name}.${ext}`, `*/${name}-*.${ext}`, `*/${name}/*.${ext}`);
    }
  }
  return patterns;
}

/** A Hugging Face dataset folder layout: `huggingFacePatterns` for train, validation and test. */
export function huggingFaceLayout(name: string, extensions: readonly string[]): DataLayout {
  return { name, splits: Object.fromEntries(canonicalSplits.map((split) => [split, huggingFacePatterns(split, extensions)])) };
}

/**
 * The files holding `split` under `path`. A file path holds the one split its name implies
 * (`valid.csv` → validation, anything unnamed → train).
 */
export function resolveSplitFiles(path: string, split: string, layouts: readonly DataLayout[]): ResolvedFiles {
  const wanted = normalizeSplit(split);
  assertDataPathExists(path, layouts, wanted);
  if (statSync(path).isFile()) {
    const holds = splitFromFileName(path);
    if (holds !== wanted) {
      throw new DataLayoutError(
        `${path} is a single file holding the '${holds}' split (judged by its name); split '${wanted}' was requested`,
        `Point the path at a folder laid out as one of:\n${describeLayouts(layouts, wanted)}`,
      );
    }
    return { layout: 'single file', files: [path] };
  }
  for (const layout of layouts) {
    for (const pattern of layout.splits[wanted] ?? []) {
      const files = matchPattern(path, pattern);
      if (files.length > 0) return { layout: layout.name, files };
    }
  }
  throw new DataLayoutError(
    `No file for split '${wanted}' under ${path}`,
    `Expected one of these layouts (paths relative to that folder):\n${describeLayouts(layouts, wanted)}`,
  );
}

/** Throws a DataLayoutError naming the expected layouts when `path` does not exist. */
export function assertDataPathExists(path: string, layouts: readonly DataLayout[], split = 'train'): void {
  if (!existsSync(path)) {
    throw new DataLayoutError(`Data path does not exist: ${path}`, `Expected a file or a folder in one of these layouts:\n${describeLayouts(layouts, split)}`);
  }
}

/** Canonical splits that `path` can provide under any of the layouts. */
export function availableSplits(path: string, layouts: readonly DataLayout[]): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return [splitFromFileName(path)];
  const names = new Set<string>();
  for (const layout of layouts) {
    for (const [split, patterns] of Object.entries(layout.splits)) {
      if (patterns.some((p) => matchPattern(path, p).length > 0)) names.add(split);
    }
  }
  return [...canonicalSplits, ...names].filter((s, i, all) => names.has(s) && all.indexOf(s) === i);
}

function describeLayouts(layouts: readonly DataLayout[], split: string): string {
  return layouts
    .map((layout) => {
      const patterns = layout.splits[split] ?? [];
      if (patterns.length === 0) {
        const has = Object.entries(layout.splits).map(([name, p]) => `${name} = ${p.slice(0, 2).join(' | ')}`);
        return `  - ${layout.name}: no '${split}' split (has ${has.join('; ')})`;
      }
      const more = patterns.length > 8 ? ` | … (${patterns.length - 8} more patterns)` : '';
      return `  - ${layout.name}: ${patterns.slice(0, 8).join(' | ')}${more}`;
    })
    .join('\n');
}

function matchPattern(root: string, pattern: string): string[] {
  let current = [root];
  for (const segment of pattern.split('/')) {
    const next: string[] = [];
    const regex = segment.includes('*') ? new RegExp(`^${segment.split('*').map(escapeRegex).join('[^/]*')}$`) : undefined;
    for (const dir of current) {
      if (!regex) {
        const candidate = join(dir, segment);
        if (existsSync(candidate)) next.push(candidate);
        continue;
      }
      if (!isDirectory(dir)) continue;
      for (const name of readdirSync(dir).sort()) {
        if (!name.startsWith('.') && regex.test(name)) next.push(join(dir, name));
      }
    }
    current = next;
  }
  const last = pattern.split('/').at(-1)!;
  // A file the layout names exactly (`valid.csv`) that turns out to be a folder is a broken
  // dataset, not a missing split: say so instead of dropping the split.
  if (!last.includes('*') && /\.[a-z0-9]+$/i.test(last)) current.forEach(assertDataFile);
  return current.filter((p) => statSync(p).isFile()).sort((a, b) => relative(root, a).localeCompare(relative(root, b)));
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
