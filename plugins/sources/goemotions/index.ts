/**
 * GoEmotions (Reddit comments, 27 emotions + neutral) as `classify` examples.
 * Reads the original TSV release or a Hugging Face folder; without `path`, the shipped slice.
 */
import { z } from 'zod';
import { assetPath, defineItem } from 'attune';
import type { DatasetSource } from 'attune';
import { commonSourceOptions, openSourceFiles, splitFilesSource } from 'attune/data';
import { goEmotionsLayouts } from './layout.js';
import { readLabelNames } from './label-names.js';
import { readGoEmotionsFile } from './rows.js';
import { rowLabels, toExample } from './to-example.js';

export const goEmotionsOptions = commonSourceOptions.extend({
  multiLabel: z
    .enum(['drop', 'keep'])
    .default('drop')
    .describe('rows with more than one label: drop them (single-label training, as the original design chose) or keep them with every label in `all`'),
  taxonomy: z
    .enum(['goemotions-28', 'ekman-7'])
    .default('goemotions-28')
    .describe('label set: the 28 GoEmotions labels, or Ekman\'s 6 + neutral via the release\'s ekman_mapping.json (single-label is judged after mapping)'),
});

export const goEmotionsSource = defineItem({
  description: 'GoEmotions Reddit comments as emotion classification examples (28 labels or Ekman 7)',
  options: goEmotionsOptions,
  create(options, env): DatasetSource {
    const files = openSourceFiles({
      path: options.path,
      baseDir: env.baseDir,
      sliceDir: assetPath(import.meta.url, 'slice'),
      layouts: goEmotionsLayouts,
    });
    const names = readLabelNames(files.root);
    return splitFilesSource(files, options, async function* (split, paths, issues) {
      for (const file of paths) {
        for (const row of await readGoEmotionsFile(file, names, issues)) {
          const labels = rowLabels(row, options.taxonomy);
          if (options.multiLabel === 'drop' && labels.length !== 1) continue;
          yield toExample(row, labels, split, options.taxonomy);
        }
      }
    });
  },
});
