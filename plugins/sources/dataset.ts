/**
 * DatasetSource `dataset`: your own data in the formats TRL users already have — conversational
 * (`messages`), prompt/completion, preference (`prompt`, `chosen`, `rejected`) or prompt-only —
 * from JSONL, JSON, CSV or Parquet files, or a Hugging Face dataset folder. Splits come from the
 * file names (`train.jsonl`, `validation.csv`, `data/test-00000-of-00001.parquet`; a lone file is
 * train) or from a split column. Label columns become labels (an emotion with its taxonomy, a
 * strategy, numeric scores). Bad rows are located and skipped or fatal per `badRows`, as in the
 * built-in sources; `attune data inspect dataset --path …` reports counts and leakage.
 */
import { basename } from 'node:path';
import { z } from 'zod';
import { defineItem, PluginError } from 'attune';
import type { DatasetLoadRequest, DatasetSource } from 'attune';
import { commonSourceOptions, exampleFromTrlRow, huggingFaceLayout, loadExamples, normalizeSplit, openSourceFiles, readTable } from 'attune/data';

const layouts = [huggingFaceLayout('Hugging Face dataset folder or a single file', ['jsonl', 'json', 'parquet', 'csv'])];

export const datasetOptions = commonSourceOptions.extend({
  path: z.string().describe('a .jsonl/.json/.csv/.parquet file, or a folder with one file (or shards) per split'),
  format: z.enum(['auto', 'conversational', 'prompt-completion', 'preference', 'prompt-only']).default('auto').describe("TRL's dataset format; auto: from each row's columns"),
  splitColumn: z.string().optional().describe('a column naming each row\'s split (train, validation/dev/valid, test); default: splits by file name'),
  splits: z.array(z.string().min(1)).min(1).default(['train', 'validation', 'test']).describe('with splitColumn: the splits the data has'),
  labels: z
    .strictObject({
      emotion: z.strictObject({ column: z.string().min(1), taxonomy: z.string().min(1).default('goemotions-28').describe('the label set: goemotions-28, ed-32, ekman-7 or your own') }).optional(),
      strategy: z.string().min(1).optional().describe('a column with ESConv-style support strategies'),
      scores: z.array(z.string().min(1)).optional().describe('numeric columns kept as scores.<column>'),
    })
    .default({})
    .describe('label columns (e.g. emotion: { column: label })'),
});

export const datasetSource = defineItem({
  description: "Your own data in TRL's formats (messages, prompt/completion, prompt/chosen/rejected) from JSONL, JSON, CSV or Parquet",
  options: datasetOptions,
  create(options, env): DatasetSource {
    const files = openSourceFiles({ path: options.path, baseDir: env.baseDir, sliceDir: options.path, layouts });
    const byColumn = options.splitColumn;
    const splits = byColumn ? options.splits.map(normalizeSplit) : files.splits;
    const allFiles = [...new Set(files.splits.flatMap((s) => files.filesFor(s).files))];
    return {
      splits,
      async load(request: DatasetLoadRequest) {
        const split = normalizeSplit(request.split);
        if (!splits.includes(split)) {
          throw new PluginError(`sources/dataset: ${files.root} has no '${request.split}' split (it has ${splits.join(', ') || 'none'})`, byColumn ? `list it under splits, or check the values of column '${byColumn}'` : 'name the files train.jsonl, validation.jsonl, test.jsonl (or use splitColumn)');
        }
        const paths = byColumn ? allFiles : files.filesFor(split).files;
        return loadExamples({ options, request, files: paths }, async function* (issues) {
          for (const file of paths) {
            const source = `dataset:${basename(file)}`;
            for (const record of await readTable(file, issues)) {
              if (byColumn) {
                const value = record.value[byColumn];
                if (typeof value !== 'string' || value.trim() === '') {
                  issues.report({ file, row: record.row, field: byColumn, reason: `no split in column '${byColumn}' (got ${JSON.stringify(value)})` });
                  continue;
                }
                if (normalizeSplit(value.trim()) !== split) continue;
              }
              const example = exampleFromTrlRow(record.value, options.format, options.labels, { source, split, file, row: record.row, issues });
              if (example) yield example;
            }
          }
        });
      },
    };
  },
});
