/**
 * Where a DatasetSource reads from: the user's `path` (file or folder, resolved against the
 * config's directory) or, when absent, the slice shipped beside the plugin.
 */
import { assertDataPathExists, availableSplits, resolveDataPath, resolveSplitFiles, type DataLayout, type ResolvedFiles } from './resolve.js';

export interface SourceFiles {
  /** The file or folder read from. */
  root: string;
  /** True when reading the plugin's shipped slice. */
  isSlice: boolean;
  /** Canonical splits found under `root`. */
  splits: readonly string[];
  /** The files for one split (aliases such as `valid` and `dev` accepted). */
  filesFor(split: string): ResolvedFiles;
}

export function openSourceFiles(args: { path: string | undefined; baseDir: string; sliceDir: string; layouts: readonly DataLayout[] }): SourceFiles {
  const root = args.path === undefined ? args.sliceDir : resolveDataPath(args.path, args.baseDir);
  assertDataPathExists(root, args.layouts);
  return {
    root,
    isSlice: args.path === undefined,
    splits: availableSplits(root, args.layouts),
    filesFor: (split) => resolveSplitFiles(root, split, args.layouts),
  };
}
