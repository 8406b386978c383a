/**
 * DatasetSource `preference-file`: chosen/rejected pairs in TRL's preference format from your own
 * JSONL, JSON, CSV or Parquet files — one file (its name gives its split: `valid.jsonl` is
 * validation, anything else train) or a Hugging Face dataset folder (`train.jsonl`,
 * `data/test-00000-of-00001.parquet` …). Rows: `prompt`, `chosen`, `rejected` as strings or
 * message lists, or `chosen`/`rejected` conversations with an implicit prompt (see
 * `preferenceFromRow`). Bad rows are located (file, row, field) and skipped or fatal per `badRows`.
 */
import { basename } from 'node:path';
import { z } from 'zod';
import { defineItem } from 'attune';
import type { DatasetLoadRequest, DatasetSource } from 'attune';
import { commonSourceOptions, DataLayoutError, huggingFaceLayout, loadExamples, normalizeSplit, openSourceFiles, preferenceFromRow, readTable } from 'attune/data';

const layouts = [huggingFaceLayout('Hugging Face dataset folder or a single file', ['jsonl', 'json', 'parquet', 'csv'])];

export const preferenceFileOptions = commonSourceOptions.extend({
  path: z.string().describe('a .jsonl/.json/.csv/.parquet file, or a folder with one file (or shards) per split'),
});

export const preferenceFileSource = defineItem({
  description: "Your preference pairs in TRL's format (prompt, chosen, rejected: strings or message lists) from JSONL, JSON, CSV or Parquet (preference)",
  options: preferenceFileOptions,
  create(options, env): DatasetSource {
    // The item's schema requires path; there is no shipped slice to fall back on.
    const files = openSourceFiles({ path: options.path, baseDir: env.baseDir, sliceDir: options.path, layouts });
    return {
      splits: files.splits,
      async load(request: DatasetLoadRequest) {
        const split = normalizeSplit(request.split);
        if (!files.splits.includes(split)) throw new DataLayoutError(`${files.root} has no '${request.split}' split; available: ${files.splits.join(', ') || 'none'}.`);
        const paths = files.filesFor(split).files;
        return loadExamples({ options, request, files: paths }, async function* (issues) {
          for (const file of paths) {
            const source = `preference-file:${basename(file)}`;
            for (const record of await readTable(file, issues)) {
              const example = preferenceFromRow(record.value, { source, split, file, row: record.row, issues });
              if (example) yield example;
            }
          }
        });
      },
    };
  },
});
