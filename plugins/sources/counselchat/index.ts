/**
 * DatasetSource `counselchat`: questions people asked on counselchat.com and the answers of
 * licensed therapists, as single-turn dialogues.
 */
import { statSync } from 'node:fs';
import { z } from 'zod';
import { assetPath, defineItem } from 'attune';
import type { DatasetLoadRequest, DatasetLoadResult, DatasetSource, ItemEnvironment } from 'attune';
import { commonSourceOptions, DataLayoutError, loadExamples, normalizeSplit, openSourceFiles, repositoryPath, RowIssueCollector, splitFromFileName } from 'attune/data';
import type { SourceFiles } from 'attune/data';
import { counselChatLayouts } from './layout.js';
import { readSplitAnswers, splitsInFile } from './read-answers.js';
import { answerToExample } from './to-example.js';
import { topVotedPerQuestion } from './top-voted.js';

export const counselChatSliceDir = assetPath(import.meta.url, 'slice');

export const counselChatOptions = commonSourceOptions.extend({
  answers: z
    .enum(['all', 'top-voted'])
    .default('all')
    .describe('every therapist answer, or only the most upvoted answer per question (ties: more views, then file order)'),
  repairText: z
    .boolean()
    .default(true)
    .describe('put back the spaces the scrape lost between sentences ("with.Seriously") and replace non-breaking spaces'),
});
export type CounselChatOptions = z.output<typeof counselChatOptions>;

export const counselChatSource = defineItem({
  description: 'CounselChat: questions answered by licensed therapists (dialogue; upvotes, views and topic in metadata)',
  options: counselChatOptions,
  create(options, env) {
    return createCounselChatSource(options, env);
  },
});
export default counselChatSource;

export async function createCounselChatSource(options: CounselChatOptions, env: ItemEnvironment): Promise<DatasetSource> {
  const files = openSourceFiles({ path: options.path, baseDir: env.baseDir, sliceDir: counselChatSliceDir, layouts: counselChatLayouts });
  const singleFile = statSync(files.root).isFile();
  const splits = singleFile
    ? ((await splitsInFile(files.root, new RowIssueCollector('skip'))) ?? [splitFromFileName(files.root)])
    : files.splits;
  const nameFile = files.isSlice ? repositoryPath : undefined;
  if (!singleFile) await assertSplitColumn(files);

  async function load(request: DatasetLoadRequest): Promise<DatasetLoadResult> {
    const split = normalizeSplit(request.split);
    if (!splits.includes(split)) {
      throw new DataLayoutError(`CounselChat has no '${request.split}' split in ${files.root}; available: ${splits.join(', ') || 'none'} ('val' and 'dev' mean validation).`);
    }
    const paths = singleFile ? [files.root] : files.filesFor(split).files;
    return loadExamples({ options, request, files: paths, nameFile }, async (issues) => {
      const answers = await readSplitAnswers(paths, split, issues);
      const kept = options.answers === 'top-voted' ? topVotedPerQuestion(answers) : answers;
      return kept.map((answer) => answerToExample(answer, split, options.repairText));
    });
  }

  return { splits, load };
}

/**
 * The original layout serves every split from one CSV through its `split` column; a copy
 * without the column would put every answer in train, validation and test alike.
 */
async function assertSplitColumn(files: SourceFiles): Promise<void> {
  const shared = files.splits.map((split) => files.filesFor(split).files.join('|'));
  if (shared.length < 2 || new Set(shared).size !== 1) return;
  const file = files.filesFor(files.splits[0]!).files[0]!;
  if ((await splitsInFile(file, new RowIssueCollector('skip'))) !== undefined) return;
  throw new DataLayoutError(
    `${file} has no 'split' column, so its answers cannot be divided into train, validation and test: every split would hold every answer, and evaluation would run on training data.`,
    `Restore the release's split column (train/val/test per row), or point path at the file itself (${file}) to use every answer as train only.`,
  );
}
