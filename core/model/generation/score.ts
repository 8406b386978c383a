/**
 * Whole-sequence forward passes without a cache: full logits (tests, analysis), per-token
 * log-probabilities of the next token, and perplexity with the Hugging Face causal-LM convention
 * (position t predicts token t+1; a sequence of n tokens scores n − 1 of them).
 */
import { AttuneError } from '../../base/errors.js';
import { DECODER_OUTPUTS, checkTokenIds, padBatch } from '../decoder/index.js';
import { IGNORE_INDEX } from '../../base/ignore-index.js';
import type { DecoderBatch, TokenRow } from '../decoder/index.js';
import type { InferenceModel } from './inference-model.js';
import { padIdOf } from './padding.js';

export interface ScoreOptions {
  /** Apply the loaded adapter (default true). */
  readonly useAdapter?: boolean;
  /** Sequences per forward pass (default 4): bounds the [B·S, V] logits onnxruntime holds. */
  readonly batchSize?: number;
}

const NAMING = { context: 'scoring', rowLabel: 'sequence' } as const;

/** Every sequence valid for the model, each error naming the sequence by its index in the call. */
function checkSequences(model: InferenceModel, rows: readonly (readonly number[])[]): void {
  checkTokenIds(rows, model.config, NAMING);
  const limit = model.config.maxPositionEmbeddings;
  rows.forEach((r, i) => {
    if (r.length > limit) throw new AttuneError(`sequence ${i} has ${r.length} tokens, more than the model's max_position_embeddings (${limit})`, 'split long texts into shorter ones');
  });
}

/** Left-padded like generation, so a sequence scores the same alone or in a batch. */
function padded(model: InferenceModel, rows: readonly TokenRow[]): DecoderBatch {
  const { folder } = model;
  return padBatch(rows, folder.config, { padId: padIdOf(folder.config, folder.tokenizer.pad?.id ?? null, folder.stopTokenIds), side: 'left', ...NAMING });
}

/** Logits [S_i, V] of every position of each sequence (left padding stripped). */
export async function fullLogits(model: InferenceModel, sequences: readonly (readonly number[])[], options: ScoreOptions = {}): Promise<Float32Array[]> {
  checkSequences(model, sequences);
  const useAdapter = options.useAdapter ?? true;
  const batch = padded(model, sequences.map((ids) => ({ ids })));
  const session = await model.session('full-logits', useAdapter);
  const out = await session.run({ ...model.adapterFeeds(useAdapter), ...batch.feeds }, { dims: batch.dims });
  const logits = out[DECODER_OUTPUTS.logits]?.data as Float32Array;
  const V = model.config.vocabSize;
  return sequences.map((row, b) => logits.slice((b * batch.seq + (batch.starts[b] as number)) * V, (b + 1) * batch.seq * V));
}

/**
 * HF causal-LM labels for scoring a whole sequence: every token but the first is predicted (the
 * first has no context, and its label would otherwise be predicted from the padding before it).
 */
function scoringLabels(ids: readonly number[]): number[] {
  return ids.map((id, t) => (t === 0 ? IGNORE_INDEX : id));
}

/** log p(x_{t+1} | x_≤t) for t = 0 … n−2 of each sequence (n − 1 values each). */
export async function tokenLogProbs(model: InferenceModel, sequences: readonly (readonly number[])[], options: ScoreOptions = {}): Promise<Float64Array[]> {
  checkSequences(model, sequences);
  const useAdapter = options.useAdapter ?? true;
  const size = options.batchSize ?? 4;
  if (!Number.isInteger(size) || size < 1) throw new AttuneError(`scoring: batch size must be a positive integer, got ${size}`);
  const session = await model.session('full-token-logprobs', useAdapter);
  // Similar lengths share a batch, so little compute goes to padding.
  const order = sequences.map((_, i) => i).sort((a, b) => (sequences[a] as number[]).length - (sequences[b] as number[]).length);
  const byIndex = new Map<number, Float64Array>();
  for (let start = 0; start < order.length; start += size) {
    const idx = order.slice(start, start + size);
    const rows = idx.map((i) => sequences[i] as readonly number[]);
    const batch = padded(model, rows.map((ids) => ({ ids, labels: scoringLabels(ids) })));
    const out = await session.run({ ...model.adapterFeeds(useAdapter), ...batch.feeds }, { dims: batch.dims });
    const lp = out[DECODER_OUTPUTS.tokenLogProbs]?.data as Float32Array;
    rows.forEach((row, b) => {
      // Position start + t holds log p(token t | tokens < t); t = 0 has none.
      const first = b * batch.seq + (batch.starts[b] as number) + 1;
      byIndex.set(idx[b] as number, Float64Array.from(lp.subarray(first, first + row.length - 1)));
    });
  }
  return sequences.map((_, i) => byIndex.get(i) as Float64Array);
}

export interface PerplexityResult {
  /** Mean negative log-likelihood per predicted token, over all sequences together. */
  readonly meanNll: number;
  readonly perplexity: number;
  /** Predicted tokens (Σ (n_i − 1)). */
  readonly tokens: number;
  readonly sequences: number;
}

export async function perplexity(model: InferenceModel, sequences: readonly (readonly number[])[], options: ScoreOptions = {}): Promise<PerplexityResult> {
  const perSequence = await tokenLogProbs(model, sequences, options);
  let sum = 0;
  let tokens = 0;
  for (const lp of perSequence) {
    for (const v of lp) sum -= v;
    tokens += lp.length;
  }
  if (tokens === 0) throw new AttuneError(`perplexity: the ${sequences.length} text(s) have no token to predict (each needs at least 2 tokens)`, 'give longer texts');
  const meanNll = sum / tokens;
  // NaN (or +∞ from -∞ log-probs of finite logits is impossible): only non-finite weights get here.
  if (!Number.isFinite(meanNll)) {
    throw new AttuneError(
      `perplexity: the log-probabilities of ${model.folder.dir} are not finite (mean NLL ${meanNll}): the weights or the adapter hold NaN or infinite values`,
      "Check the model folder's weights (a damaged file, or a fine-tune that diverged); score the base model without --adapter to tell which.",
    );
  }
  return { meanNll, perplexity: Math.exp(meanNll), tokens, sequences: sequences.length };
}
