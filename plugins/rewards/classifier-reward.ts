/**
 * Shared by the classifier-backed rewards: open the model once (relative paths from the config's
 * folder), score (text, pair?) rows in batches, and skip rows whose score is already decided.
 */
import { z } from 'zod';
import { SequenceClassifier } from 'attune/model';
import type { ClassifierInput } from 'attune/model';

export const classifierOptions = {
  model: z.string().min(1).describe('a …ForSequenceClassification folder (or embedded model name)'),
  batchSize: z.number().int().positive().default(16).describe('inputs per forward pass'),
  maxLength: z.number().int().min(4).optional().describe('truncate inputs (longest first) to this many tokens; default: the model limit'),
};

export async function openRewardClassifier(o: { model: string; batchSize: number; maxLength?: number | undefined }, baseDir: string): Promise<SequenceClassifier> {
  return SequenceClassifier.open(o.model, { baseDir, batchSize: o.batchSize, ...(o.maxLength !== undefined ? { maxLength: o.maxLength } : {}) });
}

/** One row per completion: an input to classify, or a score fixed without the model (null or a number). */
export type RewardRow = { input: ClassifierInput } | { fixed: number | null };

/** Classifies only the rows that need it and maps each logit row to a score. */
export async function scoreRows(classifier: SequenceClassifier, rows: readonly RewardRow[], toScore: (logits: number[]) => number): Promise<(number | null)[]> {
  const wanted = rows.flatMap((row, i) => ('input' in row ? [{ i, input: row.input }] : []));
  const results = await classifier.classify(wanted.map((w) => w.input));
  const out = rows.map((row) => ('fixed' in row ? row.fixed : null));
  wanted.forEach((w, k) => (out[w.i] = toScore(results[k]!.logits)));
  return out;
}
