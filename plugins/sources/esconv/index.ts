/**
 * ESConv (Emotional Support Conversation) as supporter-turn `dialogue` examples labelled
 * with the normalized support strategy. Reads HF split files or the original ESConv.json /
 * FailedESConv.json; without `path`, the shipped slice.
 */
import { basename, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { defineItem } from '../../../core/kernel/item.js';
import type { DatasetSource } from '../../../core/kernel/extension-points/dataset-source.js';
import { commonSourceOptions } from '../../../core/data/source-options.js';
import { RowIssueCollector } from '../../../core/data/row-issues.js';
import { exposeMetadata } from '../../../core/data/expose.js';
import type { CanonicalExample } from '../../../core/data/example.js';
import { normalizeSplit, openSourceFiles } from '../../../core/data/formats/index.js';
import { esconvLayouts } from './layout.js';
import { readDialogObjects } from './read-dialogs.js';
import { parseDialog } from './parse-dialog.js';
import { dialogToExamples } from './to-examples.js';

export const esconvOptions = commonSourceOptions.extend({
  expansion: z
    .enum(['every-helper-turn', 'last-helper-turn'])
    .default('every-helper-turn')
    .describe('one example per supporter turn, or only for the last supporter turn of each dialog'),
  maxHistoryTurns: z.number().int().min(0).default(0).describe('keep only the latest N turns of history (0 = all)'),
});

export const esconvSource = defineItem({
  description: 'ESConv emotional-support dialogues: supporter turns with history, labelled with the support strategy',
  options: esconvOptions,
  create(options, env): DatasetSource {
    const files = openSourceFiles({
      path: options.path,
      baseDir: env.baseDir,
      sliceDir: fileURLToPath(new URL('./slice', import.meta.url)),
      layouts: esconvLayouts,
    });
    return {
      splits: files.splits,
      async load({ split, limit }) {
        const canonicalSplit = normalizeSplit(split);
        const resolved = files.filesFor(canonicalSplit);
        const issues = new RowIssueCollector(options.badRows);
        const examples: CanonicalExample[] = [];
        for (const file of resolved.files) {
          const stem = basename(file, extname(file));
          for (const record of await readDialogObjects(file, issues)) {
            const dialog = parseDialog(record, issues);
            if (!dialog) continue;
            const place = { file, row: record.row, split: canonicalSplit, dialogId: `${stem}-${record.row}` };
            for (const example of dialogToExamples(dialog, place, options.expansion, options.maxHistoryTurns)) {
              examples.push(exposeMetadata(example, options.exposeMetadata));
              if (limit !== undefined && examples.length >= limit) return { examples, issues: issues.issues, files: resolved.files };
            }
          }
        }
        return { examples, issues: issues.issues, files: resolved.files };
      },
    };
  },
});
