/**
 * Reward rows → encoded inputs → padded micro-batches, encoded and pooled exactly as the exported
 * classifier will be read: `encodeClassifierInput` and `classifierBatch` with the exported
 * config (so the pooled token is transformers' last non-pad token), right padding, lengths padded
 * up to a bucket (one compiled session per bucket). A short final micro-batch is filled with
 * weight-0 rows so every session keeps its batch size.
 */
import type { Feed } from '../../engine/index.js';
import { classifierBatch, encodeClassifierInput, paddingId } from '../../model/classifier/index.js';
import type { ClassifierConfig, EncodedInput } from '../../model/classifier/index.js';
import type { ModelTokenizer } from '../../model/tokenizer/model-tokenizer.js';
import type { PairRow, PointRow, RewardInput } from '../../data/reward-rows/index.js';
import { bucketLength } from '../collate.js';
import { rewardFeeds } from './reward-graph.js';
import type { RewardLoss } from './reward-loss.js';

export interface RewardEncoder {
  readonly config: ClassifierConfig;
  readonly tokenizer: ModelTokenizer;
  readonly maxLength: number;
}

export interface EncodedPoint {
  readonly id: string;
  readonly input: EncodedInput;
  readonly target: number;
}

export interface EncodedPair {
  readonly id: string;
  readonly chosen: EncodedInput;
  readonly rejected: EncodedInput;
}

export interface RewardBatch {
  readonly feeds: Record<string, Feed>;
  readonly batch: number;
  readonly seq: number;
  /** Real rows (pointwise) or pairs in it. */
  readonly count: number;
  readonly tokens: number;
  readonly truncated: number;
}

export const encodeInput = (e: RewardEncoder, input: RewardInput): EncodedInput => encodeClassifierInput(e.tokenizer, e.config, null, input, e.maxLength);

export function encodePoint(e: RewardEncoder, row: PointRow): EncodedPoint {
  return { id: row.id, input: encodeInput(e, row.input), target: row.target };
}

export function encodePair(e: RewardEncoder, row: PairRow): EncodedPair {
  return { id: row.id, chosen: encodeInput(e, row.chosen), rejected: encodeInput(e, row.rejected) };
}

interface Shape {
  readonly bucket: number;
  readonly maxLength: number;
}

function batchOf(config: ClassifierConfig, inputs: readonly EncodedInput[], size: number, shape: Shape): { feeds: Record<string, Feed>; seq: number } {
  const filler: EncodedInput = { ids: [paddingId(config)], typeIds: [0], truncated: 0 };
  const rows = [...inputs, ...Array.from({ length: size - inputs.length }, () => filler)];
  const seq = bucketLength(Math.max(...rows.map((r) => r.ids.length)), shape.bucket, shape.maxLength);
  return { feeds: classifierBatch(config, rows, seq).feeds, seq };
}

/** Up to `size` rows; the rest of the batch is weight-0 filler. */
export function pointBatch(config: ClassifierConfig, rows: readonly EncodedPoint[], size: number, loss: RewardLoss, shape: Shape): RewardBatch {
  const { feeds, seq } = batchOf(config, rows.map((r) => r.input), size, shape);
  const weight = new Float32Array(size);
  weight.fill(1, 0, rows.length);
  const targets = rows.map((r) => r.target);
  while (targets.length < size) targets.push(0);
  feeds[rewardFeeds.rowWeight] = weight;
  feeds[rewardFeeds.target] = loss === 'ce' ? BigInt64Array.from(targets.map((t) => BigInt(t))) : Float32Array.from(targets);
  return { feeds, batch: size, seq, count: rows.length, tokens: rows.reduce((n, r) => n + r.input.ids.length, 0), truncated: rows.filter((r) => r.input.truncated > 0).length };
}

/** Up to `size` pairs as 2·size rows: chosen inputs first, then rejected, in pair order. */
export function pairBatch(config: ClassifierConfig, pairs: readonly EncodedPair[], size: number, shape: Shape): RewardBatch {
  const { feeds, seq } = batchOf(config, [...pairs.map((p) => p.chosen), ...padTo(pairs.length, size), ...pairs.map((p) => p.rejected)], 2 * size, shape);
  const weight = new Float32Array(size);
  weight.fill(1, 0, pairs.length);
  feeds[rewardFeeds.chosen] = BigInt64Array.from({ length: size }, (_, i) => BigInt(i));
  feeds[rewardFeeds.rejected] = BigInt64Array.from({ length: size }, (_, i) => BigInt(size + i));
  feeds[rewardFeeds.pairWeight] = weight;
  const tokens = pairs.reduce((n, p) => n + p.chosen.ids.length + p.rejected.ids.length, 0);
  return { feeds, batch: 2 * size, seq, count: pairs.length, tokens, truncated: pairs.filter((p) => p.chosen.truncated > 0 || p.rejected.truncated > 0).length };
}

/** Filler between the chosen and the rejected block, so rejected rows start at `size`. */
function padTo(used: number, size: number): EncodedInput[] {
  return Array.from({ length: size - used }, () => ({ ids: [], typeIds: [], truncated: 0 }));
}
