/**
 * A DatasetSource whose splits are files found by layout (`openSourceFiles`): each load
 * resolves the split's files and hands them to `produce`, inside `loadExamples`.
 */
import type { DatasetSource } from '../../kernel/extension-points/dataset-source.js';
import { normalizeSplit, type SourceFiles } from '../formats/index.js';
import type { RowIssueCollector } from '../row-issues.js';
import { loadExamples, type ExampleLoad, type ExampleStream } from './load-examples.js';

/** Makes a split's examples; `split` is canonical (`validation`, never `dev`), `files` are the split's files in order. */
export type SplitProducer = (split: string, files: readonly string[], issues: RowIssueCollector) => ExampleStream | Promise<ExampleStream>;

export function splitFilesSource(files: SourceFiles, options: ExampleLoad['options'], produce: SplitProducer): DatasetSource {
  return {
    splits: files.splits,
    async load(request) {
      const split = normalizeSplit(request.split);
      const paths = files.filesFor(split).files;
      return loadExamples({ options, request, files: paths }, (issues) => produce(split, paths, issues));
    },
  };
}
