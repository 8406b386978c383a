/**
 * The names behind GoEmotions label ids. The original release ships emotions.txt beside the
 * TSVs; Hugging Face folders do not, and their ClassLabel ids follow the same published
 * order, so that order is the fallback. A names file that disagrees with it is refused:
 * ids would silently mean other emotions.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DataFileError, goEmotionsLabels } from 'attune/data';
import { labelNameFiles } from './layout.js';

export function readLabelNames(root: string): readonly string[] {
  const folder = statSync(root).isFile() ? dirname(root) : root;
  for (const name of labelNameFiles) {
    const file = join(folder, name);
    if (!existsSync(file)) continue;
    const names = readFileSync(file, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    const same = names.length === goEmotionsLabels.length && names.every((n, i) => n === goEmotionsLabels[i]);
    if (!same) {
      throw new DataFileError(
        `${file} does not list the 28 GoEmotions labels in release order (got ${names.length}: ${names.slice(0, 5).join(', ')}, …)`,
        `Expected, one per line: ${goEmotionsLabels.join(', ')}. Label ids in the data index this list.`,
      );
    }
    return names;
  }
  return goEmotionsLabels;
}
