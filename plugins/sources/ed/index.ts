/**
 * EmpatheticDialogues as listener-turn `dialogue` examples labelled with the conversation's
 * emotion (ED-32). Reads the original CSV release, the ED-v2 pair layout or a Hugging Face
 * folder; without `path`, the shipped slice.
 */
import { z } from 'zod';
import { assetPath, defineItem } from 'attune';
import type { DatasetSource } from 'attune';
import { commonSourceOptions, expansionOption, maxHistoryTurnsOption, openSourceFiles, splitFilesSource } from 'attune/data';
import { edLayouts } from './layout.js';
import { readEdRows } from './read-rows.js';
import { groupConversations } from './conversations.js';
import { conversationToExamples } from './original-examples.js';
import { v2RowToExample } from './v2-examples.js';

export const edOptions = commonSourceOptions.extend({
  expansion: expansionOption('listener turn', ' (original layout; ED-v2 rows are pairs already)'),
  maxHistoryTurns: maxHistoryTurnsOption,
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
      sliceDir: assetPath(import.meta.url, 'slice'),
      layouts: edLayouts,
    });
    const expansion = { mode: options.expansion, maxHistoryTurns: options.maxHistoryTurns, emotionLabels: options.emotionLabels };
    return splitFilesSource(files, options, async function* (split, paths, issues) {
      for (const file of paths) {
        const { kind, records } = await readEdRows(file, issues);
        yield* kind === 'original'
          ? groupConversations(records, issues).flatMap((c) => conversationToExamples(c, split, expansion))
          : records.flatMap((r) => v2RowToExample(r, split, expansion, issues) ?? []);
      }
    });
  },
});
