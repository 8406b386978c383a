/**
 * Where each WASSA split lives: the shared-task release folders (2023 TSVs, 2024 CSVs with
 * separate gold files), a Hugging Face dataset folder (one Parquet/JSONL/CSV per split), or
 * a single file whose name says its split.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { availableSplits, DataLayoutError, huggingFaceLayout, resolveSplitFiles, splitFromFileName } from 'attune/data';
import type { ScoreKey } from './scores.js';

export type WassaRelease = '2023' | '2024';

export interface GoldFile {
  file: string;
  /** The gold files have no header; the column order differs between releases. */
  columns: readonly ScoreKey[];
}

export interface SplitFiles {
  /** Data files of the split, read in this order. */
  data: string[];
  /** Row-aligned labels for a data file that has none of its own. */
  gold?: GoldFile;
  /** The release publishes no gold labels for this split (WASSA 2023 test, 2024 test without its gold file). */
  unlabelled?: boolean;
}

export interface WassaLayout {
  /** How the files were recognised, for logs and errors. */
  description: string;
  splits: Map<string, SplitFiles>;
}

interface OriginalSplit {
  data: string[];
  gold?: GoldFile;
  /** Files among `data` that carry no labels and have no gold file. */
  unlabelled?: string[];
}

const original: Record<WassaRelease, Record<string, OriginalSplit>> = {
  '2024': {
    train: { data: ['trac2_CONVT_train.csv'] },
    validation: { data: ['trac2_CONVT_dev.csv'], gold: { file: 'goldstandard_CONVT.tsv', columns: ['emotion', 'emotionalPolarity', 'empathy'] } },
    // The test gold file repeats every test column and adds the labels, so it replaces the test file.
    test: { data: ['goldstandard_CONVT.csv', 'trac2_CONVT_test.csv'], unlabelled: ['trac2_CONVT_test.csv'] },
  },
  '2023': {
    train: { data: ['WASSA23_conv_level_with_labels_train.tsv'] },
    validation: { data: ['WASSA23_conv_level_dev.tsv'], gold: { file: 'goldstandard_CONV_dev.tsv', columns: ['emotionalPolarity', 'emotion', 'empathy'] } },
    test: { data: ['WASSA23_conv_level_test.tsv'], unlabelled: ['WASSA23_conv_level_test.tsv'] },
  },
};

const huggingFace = huggingFaceLayout('Hugging Face dataset folder', ['parquet', 'jsonl', 'json', 'csv', 'tsv']);

export const expectedLayouts = [
  'a WASSA 2024 folder (trac2_CONVT_train.csv, trac2_CONVT_dev.csv [+ goldstandard_CONVT.tsv], goldstandard_CONVT.csv or trac2_CONVT_test.csv)',
  'a WASSA 2023 folder (WASSA23_conv_level_with_labels_train.tsv, WASSA23_conv_level_dev.tsv + goldstandard_CONV_dev.tsv, WASSA23_conv_level_test.tsv)',
  'a folder holding wassa2024/ and/or wassa2023/ in those layouts',
  'a Hugging Face dataset folder with one file per split (train.parquet, data/validation-00000-of-00001.parquet, test.jsonl, ...)',
  'a single .csv/.tsv/.jsonl/.parquet file named after its split',
].join('; ');

export function resolveWassaLayout(path: string, release: 'auto' | WassaRelease): WassaLayout {
  if (!existsSync(path)) throw new DataLayoutError(`WASSA data not found at ${path}. Expected ${expectedLayouts}.`);
  if (statSync(path).isFile()) return singleFile(path);

  const preferred: WassaRelease[] = release === 'auto' ? ['2024', '2023'] : [release];
  for (const candidate of preferred) {
    const sub = join(path, `wassa${candidate}`);
    if (existsSync(sub) && statSync(sub).isDirectory() && hasOriginalFiles(sub, candidate)) return originalLayout(sub, candidate);
  }
  for (const candidate of preferred) {
    if (hasOriginalFiles(path, candidate)) return originalLayout(path, candidate);
  }
  const hf = huggingFaceFolder(path);
  if (hf.splits.size > 0) return hf;
  const wanted = release === 'auto' ? '' : ` for release ${release}`;
  throw new DataLayoutError(`No WASSA files found in ${path}${wanted}. Expected ${expectedLayouts}.`);
}

function hasOriginalFiles(dir: string, release: WassaRelease): boolean {
  return Object.values(original[release]).some((split) => split.data.some((name) => existsSync(join(dir, name))));
}

function originalLayout(dir: string, release: WassaRelease): WassaLayout {
  const splits = new Map<string, SplitFiles>();
  for (const [split, spec] of Object.entries(original[release])) {
    const data = spec.data.find((name) => existsSync(join(dir, name)));
    if (!data) continue;
    splits.set(split, originalSplitFiles(dir, data, spec));
  }
  return { description: `WASSA ${release} release folder ${dir}`, splits };
}

function originalSplitFiles(dir: string, data: string, spec: OriginalSplit): SplitFiles {
  const files: SplitFiles = { data: [join(dir, data)] };
  if (spec.gold && existsSync(join(dir, spec.gold.file))) files.gold = { ...spec.gold, file: join(dir, spec.gold.file) };
  if (spec.unlabelled?.includes(data)) files.unlabelled = true;
  return files;
}

function huggingFaceFolder(dir: string): WassaLayout {
  const splits = new Map<string, SplitFiles>();
  for (const split of availableSplits(dir, [huggingFace])) splits.set(split, { data: resolveSplitFiles(dir, split, [huggingFace]).files });
  return { description: `${huggingFace.name} ${dir}`, splits };
}

function singleFile(file: string): WassaLayout {
  const name = basename(file);
  for (const release of ['2024', '2023'] as const) {
    for (const [split, spec] of Object.entries(original[release])) {
      if (!spec.data.includes(name)) continue;
      return { description: `WASSA ${release} file ${file}`, splits: new Map([[split, originalSplitFiles(dirname(file), name, spec)]]) };
    }
  }
  return { description: `file ${file}`, splits: new Map([[splitFromFileName(name), { data: [file] }]]) };
}
