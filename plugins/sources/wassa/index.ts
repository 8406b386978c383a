/**
 * DatasetSource `wassa`: turn-level empathy, emotion intensity and emotional polarity of
 * conversations about news articles (WASSA 2023 CONV / WASSA 2024 CONVT shared tasks).
 */
import { join, relative } from 'node:path';
import { z } from 'zod';
import { assetPath, defineItem } from 'attune';
import type { DatasetLoadRequest, DatasetLoadResult, DatasetSource, ItemEnvironment } from 'attune';
import { commonSourceOptions, DataLayoutError, loadExamples, repositoryPath, sourceRoot } from 'attune/data';
import type { CanonicalExample } from 'attune/data';
import { resolveWassaLayout } from './layout.js';
import { readSplitTurns } from './load-split.js';
import { turnToExample } from './to-example.js';

export const wassaSliceDir = assetPath(import.meta.url, 'slice');

export const wassaOptions = commonSourceOptions.extend({
  release: z
    .enum(['auto', '2023', '2024'])
    .default('auto')
    .describe('which release folder to read when a folder holds both; auto prefers 2024 (the superset)'),
  keepUnlabelled: z
    .boolean()
    .default(false)
    .describe('keep turns without any gold score (WASSA 2023 test, 110 rows of the 2024 test gold); they are dropped by default'),
});
export type WassaOptions = z.output<typeof wassaOptions>;

export const wassaSource = defineItem({
  description: 'WASSA 2023/2024 conversation turns with empathy, emotion intensity and polarity scores (classify)',
  options: wassaOptions,
  create(options, env) {
    return createWassaSource(options, env);
  },
});
export default wassaSource;

export function createWassaSource(options: WassaOptions, env: ItemEnvironment): DatasetSource {
  const { root } = sourceRoot({ path: options.path, baseDir: env.baseDir, sliceDir: wassaSliceDir });
  const userPath = options.path;
  // The user's files by the path they wrote in their config, the slice by its place in the repository.
  const label = userPath === undefined ? repositoryPath : (path: string) => join(userPath, relative(root, path));
  const layout = resolveWassaLayout(root, options.release);
  const splits = [...layout.splits].filter(([, files]) => options.keepUnlabelled || !files.unlabelled).map(([split]) => split);

  async function load(request: DatasetLoadRequest): Promise<DatasetLoadResult> {
    const files = layout.splits.get(request.split);
    if (files?.unlabelled && !options.keepUnlabelled) {
      throw new DataLayoutError(
        `WASSA '${request.split}' in ${layout.description} has no gold labels (${files.data.map(label).join(', ')}); set keepUnlabelled: true to load it without scores.`,
      );
    }
    if (!files) {
      throw new DataLayoutError(`WASSA has no '${request.split}' split in ${layout.description}; available: ${splits.join(', ') || 'none'}.`);
    }
    const read = [...files.data, ...(files.gold ? [files.gold.file] : [])];
    return loadExamples({ options, request, files: read, nameFile: label }, async (issues) => {
      const examples: CanonicalExample[] = [];
      const seen = new Map<string, number>();
      let unlabelled = 0;
      for (const turn of await readSplitTurns(files, { issues, label })) {
        const example = turnToExample(turn, request.split);
        const firstRow = seen.get(example.id);
        if (firstRow !== undefined) {
          issues.report({ file: turn.file, row: turn.row, field: 'turn_id', reason: `duplicate turn ${turn.turn} of conversation ${turn.conversationId} (first at row ${firstRow})` });
          continue;
        }
        seen.set(example.id, turn.row);
        if (!example.labels.scores && !options.keepUnlabelled) {
          unlabelled++;
          continue;
        }
        examples.push(example);
      }
      if (unlabelled > 0) {
        env.warn(`wassa ${request.split}: dropped ${unlabelled} turns without gold scores (set keepUnlabelled: true to keep them).`);
      }
      return examples;
    });
  }

  return { splits, load };
}
