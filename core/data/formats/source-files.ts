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

export interface SourceRootArgs {
  /** The `path` option, absent for the shipped slice. */
  path: string | undefined;
  /** The config's directory, which a relative `path` is resolved against. */
  baseDir: string;
  /** The plugin's shipped slice. */
  sliceDir: string;
}

/** The file or folder to read, for sources that resolve their own layouts. */
export function sourceRoot(args: SourceRootArgs): { root: string; isSlice: boolean } {
  return args.path === undefined ? { root: args.sliceDir, isSlice: true } : { root: resolveDataPath(args.path, args.baseDir), isSlice: false };
}

export function openSourceFiles(args: SourceRootArgs & { layouts: readonly DataLayout[] }): SourceFiles {
  const { root, isSlice } = sourceRoot(args);
  assertDataPathExists(root, args.layouts);
  return {
    root,
    isSlice,
    splits: availableSplits(root, args.layouts),
    filesFor: (split) => resolveSplitFiles(root, split, args.layouts),
  };
}
