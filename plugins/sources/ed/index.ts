/**
 * EmpatheticDialogues as listener-turn `dialogue` examples labelled with the conversation's
 * emotion (ED-32). Reads the original CSV release, the ED-v2 pair layout or a Hugging Face
 * folder; without `path`, the shipped slice.
 */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { defineItem } from '../../../core/kernel/item.js';
import type { DatasetSource } from '../../../core/kernel/extension-points/dataset-source.js';
import { commonSourceOptions } from '../../../core/data/source-options.js';
import { RowIssueCollector } from '../../../core/data/row-issues.js';
import { exposeMetadata } from '../../../core/data/expose.js';
import type { CanonicalExample } from '../../../core/data/example.js';
import { normalizeSplit, openSourceFiles } from '../../../core/data/formats/index.js';
import { edLayouts } from './layout.js';
import { readEdRows } from './read-rows.js';
import { groupConversations } from './conversations.js';
import { conversationToExamples } from './original-examples.js';
import { v2RowToExample } from './v2-examples.js';

export const edOptions = commonSourceOptions.extend({
  expansion: z
    .enum(['every-helper-turn', 'last-helper-turn'])
    .default('every-helper-turn')
    .describe('one example per listener turn, or only the last listener turn of each conversation (original layout; ED-v2 rows are pairs already)'),
  maxHistoryTurns: z.number().int().min(0).default(0).describe('keep only the latest N turns of history (0 = all)'),
  emotionLabels: z
    .enum(['ed-32', 'goemotions-28'])
    .default('ed-32')
    .describe('emotion label set: ED\'s own 32, or GoEmotions via core/data/labels/ed-to-goemotions.json'),
});

export const edSource = defineItem({
  description: 'EmpatheticDialogues: listener turns with history, labelled with the conversation emotion (ED-32)',
  options: edOptions,
  create(options, env): DatasetSource {
    const files = openSourceFiles({
      path: options.path,
      baseDir: env.baseDir,
      sliceDir: fileURLToPath(new URL('./slice', import.meta.url)),
      layouts: edLayouts,
    });
    const expansion = { mode: options.expansion, maxHistoryTurns: options.maxHistoryTurns, emotionLabels: options.emotionLabels };
    return {
      splits: files.splits,
      async load({ split, limit }) {
        const canonicalSplit = normalizeSplit(split);
        const resolved = files.filesFor(canonicalSplit);
        const issues = new RowIssueCollector(options.badRows);
        const examples: CanonicalExample[] = [];
        const done = (): boolean => limit !== undefined && examples.length >= limit;
        for (const file of resolved.files) {
          const { kind, records } = await readEdRows(file, issues);
          const produced =
            kind === 'original'
              ? groupConversations(records, issues).flatMap((c) => conversationToExamples(c, canonicalSplit, expansion))
              : records.flatMap((r) => v2RowToExample(r, canonicalSplit, expansion, issues) ?? []);
          for (const example of produced) {
            examples.push(exposeMetadata(example, options.exposeMetadata));
            if (done()) return { examples, issues: issues.issues, files: resolved.files };
          }
        }
        return { examples, issues: issues.issues, files: resolved.files };
      },
    };
  },
});
