/**
 * Whole-sequence forward passes without a cache: full logits (tests, analysis), per-token
 * log-probabilities of the next token, and perplexity with the Hugging Face causal-LM convention
 * (position t predicts token t+1; a sequence of n tokens scores n − 1 of them).
 */
import { AttuneError } from '../../kernel/errors.js';
import { inputNames, outputNames } from './decoder-graph.js';
import type { InferenceModel } from './inference-model.js';
import { checkTokenRows, leftPad, padIdOf } from './padding.js';
import type { PaddedBatch } from './padding.js';

export interface ScoreOptions {
  /** Apply the loaded adapter (default true). */
  readonly useAdapter?: boolean;
  /** Sequences per forward pass (default 4): bounds the [B·S, V] logits onnxruntime holds. */
  readonly batchSize?: number;
}

function checkLength(model: InferenceModel, rows: readonly (readonly number[])[], what: string): void {
  const limit = model.config.maxPositionEmbeddings;
  rows.forEach((r, i) => {
    if (r.length > limit) throw new AttuneError(`${what} ${i} has ${r.length} tokens, more than the model's max_position_embeddings (${limit})`, 'split long texts into shorter ones');
  });
}

function padded(model: InferenceModel, rows: readonly (readonly number[])[]): PaddedBatch {
  const { folder } = model;
  return leftPad(rows, padIdOf(folder.config, folder.tokenizer.pad?.id ?? null, folder.stopTokenIds));
}

/** Logits [S_i, V] of every position of each sequence (left padding stripped). */
export async function fullLogits(model: InferenceModel, sequences: readonly (readonly number[])[], options: ScoreOptions = {}): Promise<Float32Array[]> {
  checkTokenRows(sequences, model.config, 'sequence');
  checkLength(model, sequences, 'sequence');
  const useAdapter = options.useAdapter ?? true;
  const session = await model.session('full-logits', useAdapter);
  const batch = padded(model, sequences);
  const out = await session.run(
    { ...model.adapterFeeds(useAdapter), [inputNames.ids]: batch.ids, [inputNames.mask]: batch.mask, [inputNames.positions]: batch.positions },
    { dims: { batch: batch.batch, seq: batch.seq } },
  );
  const logits = out[outputNames.logits]?.data as Float32Array;
  const V = model.config.vocabSize;
  return sequences.map((row, b) => logits.slice((b * batch.seq + batch.seq - row.length) * V, (b + 1) * batch.seq * V));
}

/** log p(x_{t+1} | x_≤t) for t = 0 … n−2 of each sequence (n − 1 values each). */
export async function tokenLogProbs(model: InferenceModel, sequences: readonly (readonly number[])[], options: ScoreOptions = {}): Promise<Float64Array[]> {
  checkTokenRows(sequences, model.config, 'sequence');
  checkLength(model, sequences, 'sequence');
  const useAdapter = options.useAdapter ?? true;
  const size = options.batchSize ?? 4;
  if (!Number.isInteger(size) || size < 1) throw new AttuneError(`scoring: batch size must be a positive integer, got ${size}`);
  const session = await model.session('full-token-logprobs', useAdapter);
  const results: Float64Array[] = [];
  // Similar lengths share a batch, so little compute goes to padding.
  const order = sequences.map((_, i) => i).sort((a, b) => (sequences[a] as number[]).length - (sequences[b] as number[]).length);
  const byIndex = new Map<number, Float64Array>();
  for (let start = 0; start < order.length; start += size) {
    const idx = order.slice(start, start + size);
    const rows = idx.map((i) => sequences[i] as readonly number[]);
    const batch = padded(model, rows);
    const { seq } = batch;
    const targets = new BigInt64Array(batch.batch * seq).fill(-100n);
    rows.forEach((row, b) => {
      const offset = seq - row.length;
      for (let t = 0; t + 1 < row.length; t++) targets[b * seq + offset + t] = BigInt(row[t + 1] as number);
    });
    const out = await session.run(
      { ...model.adapterFeeds(useAdapter), [inputNames.ids]: batch.ids, [inputNames.mask]: batch.mask, [inputNames.positions]: batch.positions, [inputNames.targets]: targets },
      { dims: { batch: batch.batch, seq } },
    );
    const lp = out[outputNames.tokenLogProbs]?.data as Float32Array;
    rows.forEach((row, b) => {
      const offset = seq - row.length;
      byIndex.set(idx[b] as number, Float64Array.from(lp.subarray(b * seq + offset, b * seq + offset + row.length - 1)));
    });
  }
  for (let i = 0; i < sequences.length; i++) results.push(byIndex.get(i) as Float64Array);
  return results;
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
  return { meanNll, perplexity: Math.exp(meanNll), tokens, sequences: sequences.length };
}
