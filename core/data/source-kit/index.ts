/**
 * What the built-in DatasetSources share beyond the readers in `core/data/formats`: the
 * load scaffolding (issues, exposed metadata, limit, file names) and common options.
 */
export { loadExamples, type ExampleLoad, type ExampleStream } from './load-examples.js';
export { repositoryPath } from './file-names.js';
export { expansionOption, maxHistoryTurnsOption } from './dialogue-options.js';
export { splitFilesSource, type SplitProducer } from './split-files-source.js';
export { sliceCommandLine, readRawRecords, writeRawRecords, readLines, writeLines, sampleLines, type RawRecord } from './slice-files.js';
