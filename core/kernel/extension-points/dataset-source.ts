/**
 * Extension point: DatasetSource — reads one dataset (a user's file/folder, or the slice the
 * plugin ships) and yields canonical examples for one split.
 *
 * Lifecycle: `create(options)` once per run (options carry the path, bad-row policy and
 * source-specific switches) → `load({ split })` for each split a stage needs.
 */
import type { CanonicalExample, RowIssue } from './example.js';

export interface DatasetLoadRequest {
  split: string;
  /** Keep at most this many examples (after parsing, in file order). */
  limit?: number;
}

export interface DatasetLoadResult {
  examples: CanonicalExample[];
  /** Rows skipped under the `skip` policy, each located. */
  issues: RowIssue[];
  /** Files actually read, for provenance and logs. */
  files: string[];
  /**
   * What is legal but likely wrong with the split (no examples, duplicate examples), one line
   * each; runs log them as warnings and `attune data inspect` prints them.
   */
  warnings?: string[];
}

export interface DatasetSource {
  /** Splits this source can load, e.g. ['train', 'validation', 'test']. */
  readonly splits: readonly string[];
  load(request: DatasetLoadRequest): Promise<DatasetLoadResult>;
}
