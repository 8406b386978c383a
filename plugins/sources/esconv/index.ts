/**
 * ESConv (Emotional Support Conversation) as supporter-turn `dialogue` examples labelled
 * with the normalized support strategy. Reads HF split files or the original ESConv.json /
 * FailedESConv.json; without `path`, the shipped slice.
 */
import { basename, extname } from 'node:path';
import { assetPath, defineItem } from 'attune';
import type { DatasetSource } from 'attune';
import { commonSourceOptions, expansionOption, maxHistoryTurnsOption, openSourceFiles, splitFilesSource } from 'attune/data';
import { esconvLayouts } from './layout.js';
import { readDialogObjects } from './read-dialogs.js';
import { parseDialog } from './parse-dialog.js';
import { dialogToExamples } from './to-examples.js';

export const esconvOptions = commonSourceOptions.extend({
  expansion: expansionOption('supporter turn'),
  maxHistoryTurns: maxHistoryTurnsOption,
});

export const esconvSource = defineItem({
  description: 'ESConv emotional-support dialogues: supporter turns with history, labelled with the support strategy',
  options: esconvOptions,
  create(options, env): DatasetSource {
    const files = openSourceFiles({
      path: options.path,
      baseDir: env.baseDir,
      sliceDir: assetPath(import.meta.url, 'slice'),
      layouts: esconvLayouts,
    });
    return splitFilesSource(files, options, async function* (split, paths, issues) {
      for (const file of paths) {
        const stem = basename(file, extname(file));
        for (const record of await readDialogObjects(file, issues)) {
          const dialog = parseDialog(record, issues);
          if (!dialog) continue;
          const place = { file, row: record.row, split, dialogId: `${stem}-${record.row}` };
          yield* dialogToExamples(dialog, place, options.expansion, options.maxHistoryTurns);
        }
      }
    });
  },
});
