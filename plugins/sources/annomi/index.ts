/**
 * DatasetSource `annomi`: expert-annotated motivational-interviewing sessions (AnnoMI), one
 * dialogue example per therapist turn with the conversation before it.
 */
import { z } from 'zod';
import { assetPath, defineItem } from 'attune';
import type { DatasetLoadRequest, DatasetLoadResult, DatasetSource, ItemEnvironment } from 'attune';
import { canonicalSplits, commonSourceOptions, DataLayoutError, loadExamples, maxHistoryTurnsOption, normalizeSplit, readTable, repositoryPath, sourceRoot } from 'attune/data';
import { resolveAnnomiFiles } from './layout.js';
import { transcriptSplit } from './split.js';
import { transcriptToExamples } from './to-examples.js';
import { groupTranscripts } from './transcripts.js';
import { parseUtterance, type Utterance } from './utterance.js';

export const annomiSliceDir = assetPath(import.meta.url, 'slice');

export const annomiOptions = commonSourceOptions.extend({
  annotations: z
    .enum(['auto', 'simple', 'full'])
    .default('auto')
    .describe('AnnoMI-simple.csv, or AnnoMI-full.csv (per-annotator rows, majority vote, behaviour subtypes); auto: simple if present'),
  turns: z.enum(['every', 'last']).default('every').describe('one example per therapist turn, or only the last therapist turn of each transcript'),
  maxHistoryTurns: maxHistoryTurnsOption,
  quality: z.enum(['all', 'high', 'low']).default('all').describe('keep transcripts of this MI quality'),
  splitSeed: z.number().int().default(0).describe('seed of the transcript-level split (no official splits exist)'),
  splitRatios: z
    .object({ train: z.number().min(0), validation: z.number().min(0), test: z.number().min(0) })
    .refine((r) => r.train + r.validation + r.test > 0, 'split ratios must not all be 0')
    .default({ train: 0.8, validation: 0.1, test: 0.1 })
    .describe('share of transcripts per split'),
});
export type AnnomiOptions = z.output<typeof annomiOptions>;

export const annomiSource = defineItem({
  description: 'AnnoMI motivational-interviewing transcripts: therapist turns with history, MI quality and behaviour labels',
  options: annomiOptions,
  create(options, env) {
    return createAnnomiSource(options, env);
  },
});
export default annomiSource;

export function createAnnomiSource(options: AnnomiOptions, env: ItemEnvironment): DatasetSource {
  const { root, isSlice } = sourceRoot({ path: options.path, baseDir: env.baseDir, sliceDir: annomiSliceDir });
  const { files } = resolveAnnomiFiles(root, options.annotations);
  const nameFile = isSlice ? repositoryPath : undefined;
  const splits: readonly string[] = canonicalSplits;

  async function load(request: DatasetLoadRequest): Promise<DatasetLoadResult> {
    const split = normalizeSplit(request.split);
    if (!splits.includes(split)) throw new DataLayoutError(`AnnoMI has no '${request.split}' split; available: ${splits.join(', ')} (made by transcript, see splitRatios).`);
    const expansion = { mode: options.turns === 'every' ? ('every-helper-turn' as const) : ('last-helper-turn' as const), maxHistoryTurns: options.maxHistoryTurns };
    return loadExamples({ options, request, files, nameFile }, async function* (issues) {
      const utterances: Utterance[] = [];
      for (const file of files) {
        for (const record of await readTable(file, issues)) {
          const parsed = parseUtterance(record);
          if (parsed.ok) utterances.push(parsed.utterance);
          else issues.report(parsed.issue);
        }
      }
      for (const transcript of groupTranscripts(utterances, issues)) {
        if (transcriptSplit(transcript.id, options.splitSeed, options.splitRatios) !== split) continue;
        if (options.quality !== 'all' && transcript.quality !== options.quality) continue;
        yield* transcriptToExamples(transcript, split, expansion);
      }
    });
  }

  return { splits, load };
}
