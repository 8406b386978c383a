/**
 * Shared readers for DatasetSource plugins: CSV/TSV, JSON/JSONL, Parquet, and
 * file-or-folder resolution across original and Hugging Face layouts.
 */
export type { SourceRecord } from './record.js';
export { readDelimited, type DelimitedOptions, type DelimitedRecord, type DelimitedTable } from './delimited.js';
export { readJsonLines, readJsonArray, readJsonRecords, DataFileError } from './json.js';
export { readDataText, assertDataFile, rowTextProblem, DEFAULT_MAX_ROW_CHARS, type DataText } from './data-text.js';
export { readParquet } from './parquet.js';
export { readTable, tableExtensions } from './table.js';
export {
  resolveSplitFiles,
  assertDataPathExists,
  resolveDataPath,
  availableSplits,
  huggingFacePatterns,
  huggingFaceLayout,
  DataLayoutError,
  type DataLayout,
  type ResolvedFiles,
} from './resolve.js';
export { normalizeSplit, splitFromFileName, splitSpellings, canonicalSplits } from './split-names.js';
export { seededRandom, seededShuffle, seededSample, seededRank } from './sample.js';
export { cellText } from './cell-text.js';
export { openSourceFiles, sourceRoot, type SourceFiles, type SourceRootArgs } from './source-files.js';
