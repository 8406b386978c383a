/**
 * Which AnnoMI files to read. AnnoMI has no official splits, so every layout yields one
 * pool of transcripts that `split.ts` divides: the original release folder (simple and/or
 * full CSV), a Hugging Face folder (all of its per-split files together) or one file.
 */
import { statSync } from 'node:fs';
import { assertDataPathExists, availableSplits, DataLayoutError, huggingFaceLayout, resolveSplitFiles } from 'attune/data';
import type { DataLayout } from 'attune/data';

export type AnnotationRelease = 'auto' | 'simple' | 'full';

const simple: DataLayout = { name: 'original AnnoMI release, one row per utterance', splits: { all: ['AnnoMI-simple.csv'] } };
const full: DataLayout = { name: 'original AnnoMI release, one row per utterance and annotator', splits: { all: ['AnnoMI-full.csv'] } };
const perSplit = huggingFaceLayout('Hugging Face dataset folder (all split files are pooled, then split by transcript)', ['parquet', 'jsonl', 'json', 'csv']);
const huggingFace: DataLayout = { name: perSplit.name, splits: { all: Object.values(perSplit.splits).flat() } };

export function annomiLayouts(release: AnnotationRelease): DataLayout[] {
  if (release === 'simple') return [simple, huggingFace];
  if (release === 'full') return [full, huggingFace];
  return [simple, full, huggingFace];
}

/** The files holding every AnnoMI transcript under `root`. */
export function resolveAnnomiFiles(root: string, release: AnnotationRelease): { layout: string; files: string[] } {
  const layouts = annomiLayouts(release);
  assertDataPathExists(root, layouts, 'all');
  if (statSync(root).isFile()) return { layout: 'single file', files: [root] };
  for (const layout of layouts.slice(0, -1)) {
    try {
      return resolveSplitFiles(root, 'all', [layout]);
    } catch (error) {
      if (!(error instanceof DataLayoutError)) throw error;
    }
  }
  const files = new Set(availableSplits(root, [perSplit]).flatMap((split) => resolveSplitFiles(root, split, [perSplit]).files));
  if (files.size === 0) {
    throw new DataLayoutError(
      `No AnnoMI files under ${root}`,
      `Expected one of: ${layouts.map((l) => `${l.name} (${(l.splits.all ?? []).slice(0, 3).join(' | ')})`).join('; ')}.`,
    );
  }
  return { layout: huggingFace.name, files: [...files] };
}
