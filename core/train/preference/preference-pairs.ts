/**
 * Preference examples → tokenized pairs, and pairs → micro-batches. Each side is the prompt
 * conversation followed by that reply as the assistant turn, tokenized with the model's chat
 * template (`tokenizeChat`: the reply and its end-of-turn token are the labels; when the whole
 * conversation is longer than `maxLength` its earliest turns are dropped). A reply that still
 * does not fit is cut to `maxLength` tokens from the start (TRL's keep_start truncation; it then
 * has no end-of-turn token) and counted. A pair is left out — and counted — when a prompt alone
 * leaves no room for its reply, or the template cannot place the reply.
 */
import type { CanonicalExample } from '../../data/example.js';
import type { ChatEncoder } from '../../data/tokenize/chat-encoder.js';
import { tokenizeChat } from '../../data/tokenize/tokenize-chat.js';
import { ChatTokenizeError } from '../../data/tokenize/errors.js';
import { AttuneError } from '../../base/errors.js';
import { IGNORE_INDEX } from '../../base/ignore-index.js';
import type { DecoderConfig } from '../../model/folder/config.js';
import { bucketLength, collate } from '../collate.js';
import type { CollatedBatch, TrainItem } from '../collate.js';
import { preferenceFeeds } from './preference-graph.js';

export interface PreferencePair {
  readonly id: string;
  readonly chosen: TrainItem;
  readonly rejected: TrainItem;
  /** Completion tokens (labels) of each side. */
  readonly chosenTokens: number;
  readonly rejectedTokens: number;
}

export interface TokenizedPairs {
  readonly pairs: PreferencePair[];
  /** Pairs left out because a prompt leaves no room for its reply within maxLength. */
  readonly tooLong: number;
  /** Pairs kept with a reply cut at maxLength. */
  readonly truncated: number;
  /** Pairs left out because the chat template could not place a reply after its prompt. */
  readonly unsplittable: number;
  readonly firstProblem?: string;
}

function labelCount(labels: readonly number[]): number {
  let n = 0;
  for (let t = 1; t < labels.length; t++) if (labels[t] !== IGNORE_INDEX) n++;
  return n;
}

export function tokenizePairs(encoder: ChatEncoder, examples: readonly CanonicalExample[], maxLength: number): TokenizedPairs {
  const pairs: PreferencePair[] = [];
  let tooLong = 0;
  let truncated = 0;
  let unsplittable = 0;
  let firstProblem: string | undefined;
  for (const example of examples) {
    if (example.kind !== 'preference' || !example.preference) {
      throw new AttuneError(
        `preference data: example '${example.id}' (${example.provenance.file} row ${example.provenance.row}) is a ${example.kind} example without chosen/rejected replies.`,
        'Give the preference stage a preference source (sources/counselchat-pairs, sources/annomi-pairs, sources/preference-file).',
      );
    }
    let cut = false;
    const side = (reply: string): TrainItem | 'too-long' => {
      const messages = [...example.messages, { role: 'assistant' as const, content: reply }];
      let result = tokenizeChat(encoder, messages, { maxLength });
      if (result.status !== 'ok') {
        result = tokenizeChat(encoder, messages, { maxLength: Number.MAX_SAFE_INTEGER });
        // At least one reply token must remain after the prompt.
        if (result.status !== 'ok' || result.lastPromptIndex + 2 > maxLength) return 'too-long';
        result = { ...result, inputIds: result.inputIds.slice(0, maxLength), labels: result.labels.slice(0, maxLength) };
        cut = true;
      }
      return { id: example.id, inputIds: result.inputIds, labels: result.labels, lastPromptIndex: result.lastPromptIndex, classes: {} };
    };
    try {
      const chosen = side(example.preference.chosen);
      const rejected = side(example.preference.rejected);
      if (chosen === 'too-long' || rejected === 'too-long') {
        tooLong++;
        firstProblem ??= `${example.id}: its prompt leaves no room for a reply within maxLength ${maxLength}`;
        continue;
      }
      if (cut) truncated++;
      pairs.push({ id: example.id, chosen, rejected, chosenTokens: labelCount(chosen.labels), rejectedTokens: labelCount(rejected.labels) });
    } catch (error) {
      if (!(error instanceof ChatTokenizeError)) throw error;
      unsplittable++;
      firstProblem ??= `${example.id}: ${error.message}`;
    }
  }
  return { pairs, tooLong, truncated, unsplittable, ...(firstProblem ? { firstProblem } : {}) };
}

export interface PairBatch extends CollatedBatch {
  /** The pairs, in order: rows 0..P−1 are their chosen sides, rows P..2P−1 their rejected sides. */
  readonly pairs: readonly PreferencePair[];
  readonly chosenTokens: number;
}

export interface PairBatchShape {
  readonly bucket: number;
  readonly maxLength: number;
  readonly padId: number;
}

export function preferencePairBatch(pairs: readonly PreferencePair[], shape: PairBatchShape, config: DecoderConfig): PairBatch {
  const rows = [...pairs.map((p) => p.chosen), ...pairs.map((p) => p.rejected)];
  const longest = Math.max(...rows.map((r) => r.inputIds.length));
  const batch = collate(rows, { batch: rows.length, seq: bucketLength(longest, shape.bucket, shape.maxLength), padId: shape.padId }, config, []);
  const P = pairs.length;
  const feeds = {
    ...batch.feeds,
    [preferenceFeeds.chosenRows]: BigInt64Array.from({ length: P }, (_, p) => BigInt(p)),
    [preferenceFeeds.rejectedRows]: BigInt64Array.from({ length: P }, (_, p) => BigInt(P + p)),
  };
  return { ...batch, feeds, pairs, chosenTokens: pairs.reduce((n, p) => n + p.chosenTokens, 0) };
}

/** Consecutive chunks of at most `size` pairs. */
export function chunkPairs<T>(pairs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < pairs.length; i += size) out.push(pairs.slice(i, i + size));
  return out;
}
