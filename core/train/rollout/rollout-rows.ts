/**
 * Sampled completions → training rows and padded micro-batches: prompt + completion ids (with the
 * end token when the model stopped, so it learns to stop), labels −100 on the prompt and the
 * completion ids after it (HF labels; the graph shifts them), the completion's advantage, and —
 * for μ > 1 — π_old's log-probs laid out as the graph's [batch, seq] (position t holds the
 * log-prob of token t + 1). A truncated completion (no end token) under
 * `maskTruncatedCompletions` keeps its reward and advantage but no label, so it adds no loss.
 */
import type { Feed } from '../../engine/index.js';
import { IGNORE_INDEX } from '../../base/ignore-index.js';
import { DECODER_INPUTS } from '../../model/decoder/index.js';
import { bucketLength } from '../collate.js';
import { rolloutFeeds } from './rollout-graph.js';

export interface RolloutRow {
  readonly prompt: readonly number[];
  /** Sampled tokens, then the end token when the row ended on one. */
  readonly completion: readonly number[];
  readonly advantage: number;
  /** Completion tokens that carry loss (0 for a masked truncated completion). */
  readonly activeTokens: number;
  /** π_old per completion token (μ > 1), aligned with `completion`. */
  oldLogProbs?: number[];
}

export interface RolloutMicroBatch {
  readonly feeds: Record<string, Feed>;
  readonly batch: number;
  readonly seq: number;
  /** Indices into the generation batch's rows, in batch order. */
  readonly rows: readonly number[];
}

export function rolloutRow(prompt: readonly number[], tokens: readonly number[], endToken: number | undefined, advantage: number, maskTruncated: boolean): RolloutRow {
  const completion = endToken === undefined ? [...tokens] : [...tokens, endToken];
  const masked = maskTruncated && endToken === undefined;
  return { prompt, completion, advantage, activeTokens: masked ? 0 : completion.length };
}

/** Rows `indices` of `rows` padded right to a bucket, `size` slots (the rest weight-0 filler). */
export function rolloutMicroBatch(rows: readonly RolloutRow[], indices: readonly number[], size: number, o: { padId: number; bucket: number; maxLength: number; rowWeights: readonly number[]; withOld: boolean }): RolloutMicroBatch {
  const picked = indices.map((i) => rows[i] as RolloutRow);
  const longest = Math.max(1, ...picked.map((r) => r.prompt.length + r.completion.length));
  const seq = bucketLength(longest, o.bucket, Math.max(o.maxLength, longest));
  const ids = new BigInt64Array(size * seq).fill(BigInt(o.padId));
  const mask = new BigInt64Array(size * seq);
  const labels = new BigInt64Array(size * seq).fill(BigInt(IGNORE_INDEX));
  const advantages = new Float32Array(size);
  const weights = new Float32Array(size);
  const old = o.withOld ? new Float32Array(size * seq) : undefined;
  picked.forEach((row, b) => {
    const at = b * seq;
    const tokens = [...row.prompt, ...row.completion];
    tokens.forEach((t, k) => {
      ids[at + k] = BigInt(t);
      mask[at + k] = 1n;
    });
    if (row.activeTokens > 0) {
      row.completion.forEach((t, j) => {
        labels[at + row.prompt.length + j] = BigInt(t);
        // The graph's position p − 1 predicts token p.
        if (old) old[at + row.prompt.length + j - 1] = row.oldLogProbs?.[j] ?? 0;
      });
    }
    advantages[b] = row.advantage;
    weights[b] = o.rowWeights[b] ?? 0;
  });
  const feeds: Record<string, Feed> = {
    [DECODER_INPUTS.inputIds]: ids,
    [DECODER_INPUTS.attentionMask]: mask,
    [DECODER_INPUTS.labels]: labels,
    [rolloutFeeds.advantages]: advantages,
    [rolloutFeeds.rowWeight]: weights,
  };
  if (old) feeds[rolloutFeeds.oldLogProbs] = old;
  return { feeds, batch: size, seq, rows: indices };
}

/** The [batch, seq] graph output of a micro-batch → per-row log-probs of each completion token. */
export function completionLogProbs(batch: RolloutMicroBatch, rows: readonly RolloutRow[], grid: Float32Array): number[][] {
  return batch.rows.map((i, b) => {
    const row = rows[i] as RolloutRow;
    const start = b * batch.seq + row.prompt.length - 1;
    return Array.from(grid.subarray(start, start + row.completion.length));
  });
}
