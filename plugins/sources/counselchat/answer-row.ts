/**
 * One CounselChat row (one therapist answer to one question) → a typed answer, or the
 * reason it is malformed. Columns are found by name; the unnamed first column of the
 * original CSV is the pandas index, kept as the answer's stable number.
 */
import { createHash } from 'node:crypto';
import { canonicalSplits, cellText, normalizeSplit } from 'attune/data';
import type { RowIssue, SourceRecord } from 'attune/data';

export interface CounselAnswer {
  /** questionID plus a hash of the question link: 18 questionIDs of the 2020 scrape cover two different questions. */
  questionKey: string;
  questionId: string;
  title: string;
  question: string;
  answer: string;
  /** The pandas index of the original CSV, else the row number: stable within a file. */
  answerNumber: number;
  topic?: string;
  therapist?: string;
  therapistUrl?: string;
  questionUrl?: string;
  upvotes: number;
  views?: number;
  /** From the `split` column, normalised (`val` → `validation`); absent when there is none. */
  split?: string;
  file: string;
  row: number;
}

export type AnswerParse = { ok: true; answer: CounselAnswer } | { ok: false; issue: RowIssue };

const knownSplits = new Set<string>(canonicalSplits);

export function parseAnswer(record: SourceRecord<Record<string, unknown>>): AnswerParse {
  const cells = new Map(Object.entries(record.value).map(([k, v]) => [k.trim(), cellText(v)]));
  const fail = (field: string, reason: string): AnswerParse => ({ ok: false, issue: { file: record.file, row: record.row, field, reason } });

  const questionId = cells.get('questionID')?.trim() ?? '';
  if (questionId === '') return fail('questionID', 'empty question id');
  const title = cells.get('questionTitle')?.trim() ?? '';
  const question = cells.get('questionText')?.trim() ?? '';
  if (title === '' && question === '') return fail('questionText', 'empty text: neither questionTitle nor questionText has any');
  const answer = cells.get('answerText')?.trim() ?? '';
  if (answer === '') return fail('answerText', 'empty text');

  const upvotes = count(cells.get('upvotes'));
  if (upvotes === null || upvotes === undefined) return fail('upvotes', `unparseable number '${cells.get('upvotes') ?? ''}' (expected a count ≥ 0)`);
  const views = count(cells.get('views'));
  if (views === null) return fail('views', `unparseable number '${cells.get('views')}' (expected a count ≥ 0)`);

  let split: string | undefined;
  const rawSplit = cells.get('split')?.trim();
  if (rawSplit !== undefined) {
    split = normalizeSplit(rawSplit);
    if (!knownSplits.has(split)) return fail('split', `unknown split label '${rawSplit}' (expected train, val/validation or test)`);
  }

  const index = cells.get('') ?? cells.get('Unnamed: 0');
  const answerNumber = index !== undefined && /^\d+$/.test(index.trim()) ? Number(index.trim()) : record.row;
  const questionUrl = nonEmpty(cells.get('questionLink'));
  const parsed: CounselAnswer = {
    questionKey: `${questionId}-${createHash('sha1').update(questionUrl ?? title).digest('hex').slice(0, 6)}`,
    questionId,
    title,
    question,
    answer,
    answerNumber,
    upvotes,
    file: record.file,
    row: record.row,
  };
  const optional = {
    topic: nonEmpty(cells.get('topic')),
    therapist: nonEmpty(cells.get('therapistInfo')),
    therapistUrl: nonEmpty(cells.get('therapistURL')),
    questionUrl,
    views,
    split,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) Object.assign(parsed, { [key]: value });
  return { ok: true, answer: parsed };
}

/** undefined: no value; null: a value that is not a non-negative integer. */
function count(text: string | undefined): number | null | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text.trim());
  return Number.isInteger(value) && value >= 0 ? value : null;
}

function nonEmpty(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed ? trimmed : undefined;
}
