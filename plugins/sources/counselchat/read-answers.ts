/**
 * Reads the answers of one split. In the original CSV every split sits in one file and the
 * `split` column says which (`val` meaning validation); a file without that column holds
 * the split its name (or its Hugging Face layout) implies.
 */
import { canonicalSplits, normalizeSplit, readTable } from 'attune/data';
import type { RowIssueCollector } from 'attune/data';
import { parseAnswer, type CounselAnswer } from './answer-row.js';

const isCanonical = (split: string): boolean => (canonicalSplits as readonly string[]).includes(split);

export async function readSplitAnswers(files: readonly string[], split: string, issues: RowIssueCollector): Promise<CounselAnswer[]> {
  const answers: CounselAnswer[] = [];
  for (const file of files) {
    for (const record of await readTable(file, issues)) {
      // Rows of other splits are not this load's business, not even their defects.
      const rowSplit = record.value.split;
      if (typeof rowSplit === 'string' && isCanonical(normalizeSplit(rowSplit)) && normalizeSplit(rowSplit) !== split) continue;
      const parsed = parseAnswer(record);
      if (!parsed.ok) issues.report(parsed.issue);
      else if ((parsed.answer.split ?? split) === split) answers.push(parsed.answer);
    }
  }
  return answers;
}

/** The splits a single file holds, from its `split` column; undefined when it has none. */
export async function splitsInFile(file: string, issues: RowIssueCollector): Promise<string[] | undefined> {
  const found = new Set<string>();
  let hasColumn = false;
  for (const record of await readTable(file, issues)) {
    const value = record.value.split;
    if (typeof value !== 'string') continue;
    hasColumn = true;
    const split = normalizeSplit(value);
    if (isCanonical(split)) found.add(split);
  }
  return hasColumn ? canonicalSplits.filter((s) => found.has(s)) : undefined;
}
