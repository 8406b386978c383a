/**
 * Malformed-row handling shared by every DatasetSource.
 *
 * A source reports each bad row here with its file and row number. Under the `skip`
 * policy the row is counted and the load goes on (the summary lists the first few of each
 * reason); under `fail` the first bad row throws a located error.
 */
import { AttuneError } from '../base/errors.js';
import type { RowIssue } from '../kernel/extension-points/example.js';
import { DEFAULT_MAX_ROW_CHARS } from './formats/data-text.js';

export type BadRowPolicy = 'skip' | 'fail';

export type { RowIssue };

/** An AttuneError, so the CLI prints it (file, row, field, reason, what to do) without a stack trace. */
export class DataRowError extends AttuneError {
  constructor(readonly issue: RowIssue, hint?: string) {
    const where = `${issue.file}, row ${issue.row}${issue.field ? `, field '${issue.field}'` : ''}`;
    super(`Malformed data row (${where}): ${issue.reason}.`, hint ?? 'Fix the row, or load with the `skip` bad-row policy (badRows: skip) to count and skip such rows.');
    this.name = 'DataRowError';
  }
}

export class RowIssueCollector {
  readonly issues: RowIssue[] = [];

  /**
   * `maxRowChars`: the readers report a longer row as bad instead of handing it on (the
   * tokenizer and the parsers' work grow with it); see `formats/data-text.ts`.
   */
  constructor(
    readonly policy: BadRowPolicy = 'skip',
    readonly maxRowChars: number = DEFAULT_MAX_ROW_CHARS,
  ) {}

  /** Record a bad row; throws under the `fail` policy. */
  report(issue: RowIssue): void {
    if (this.policy === 'fail') throw new DataRowError(issue);
    this.issues.push(issue);
  }

  get count(): number {
    return this.issues.length;
  }

  /** Counts per reason, with the first few locations of each, for logs and `data inspect`. */
  summary(examplesPerReason = 3): { reason: string; count: number; examples: string[] }[] {
    const byReason = new Map<string, RowIssue[]>();
    for (const issue of this.issues) {
      const list = byReason.get(issue.reason) ?? [];
      list.push(issue);
      byReason.set(issue.reason, list);
    }
    return [...byReason.entries()]
      .map(([reason, list]) => ({
        reason,
        count: list.length,
        examples: list.slice(0, examplesPerReason).map((i) => `${i.file}:${i.row}${i.field ? ` (${i.field})` : ''}`),
      }))
      .sort((a, b) => b.count - a.count);
  }
}
