/**
 * What every reader in this folder yields: one parsed row with where it came from, so a
 * source can report a bad row by file and 1-based row without re-reading anything.
 *
 * Readers report structural problems (column count, quoting, bad JSON) while reading; a
 * source reports content problems (empty text, unknown label) as it converts records, so
 * within one file the collector sees the former first.
 */
export interface SourceRecord<Value = Record<string, unknown>> {
  /** The file as the caller named it. */
  file: string;
  /**
   * 1-based position: the line a CSV/TSV record starts on (header = line 1), the JSONL line,
   * the JSON array index + 1, or the Parquet row index + 1.
   */
  row: number;
  value: Value;
}
