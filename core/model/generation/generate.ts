/**
 * Token generation with a KV cache: one prefill run over the left-padded prompts, then one run per
 * new token. The cache lives in JS-owned buffers of fixed capacity [B, nKV, C, hd] per layer that
 * onnxruntime reads in place (a CPU input tensor wraps the typed array without copying); each run
 * returns only the new tokens' keys/values, which are written into their slots here. So a decode
 * step moves B·nKV·hd floats per layer and tensor, never the cache itself.
 */
import type { Feed, RunOutput } from '../../engine/index.js';
import { AttuneError } from '../../base/errors.js';
import { Xoshiro128, seedWords } from '../../base/rng.js';
import { checkTokenIds, padBatch } from '../decoder/index.js';
import { CACHED_INPUTS, CACHED_OUTPUTS } from './cached-graph.js';
import type { InferenceModel } from './inference-model.js';
import type { FinishReason } from '../../kernel/extension-points/decoding-policy.js';
import { logSoftmaxAt, pickToken, scoredAsDrawn } from './logits-processing.js';
import type { SamplingSettings } from './logits-processing.js';
import { padIdOf } from './padding.js';
import { RowText } from './text-stream.js';

export interface TokenEvent {
  readonly row: number;
  readonly token: number;
  /** Newly showable text of the row (may be empty while a stop string or character is pending). */
  readonly text: string;
}

/** Settings of one row over the call's own (each absent field: the call's value). */
export interface RowOptions {
  readonly sampling?: SamplingSettings;
  readonly maxNewTokens?: number;
  readonly stopStrings?: readonly string[];
  /**
   * The row's own seed: its stream then depends on this seed alone (not on the call's seed or the
   * row's index), so the row reproduces in any batch.
   */
  readonly seed?: number;
}

export interface GenerateOptions {
  /** The most new tokens of a row (rows may set fewer or more in `rows`). */
  readonly maxNewTokens: number;
  /** Greedy when absent. */
  readonly sampling?: SamplingSettings;
  /** Ids that end a row (excluded from its output); default: the model's stop tokens. */
  readonly eosTokenIds?: readonly number[];
  /** Texts that end a row; the reply is cut before the first one. */
  readonly stopStrings?: readonly string[];
  /** Same seed, same prompts, same settings → same tokens. Default: a random seed. */
  readonly seed?: number;
  /** Per-row settings, by prompt index (at most one per prompt). */
  readonly rows?: readonly (RowOptions | undefined)[];
  /**
   * Checked before the prefill and before each decode step: once aborted, rows not finished end
   * with finishReason `length` and the call returns what it has (it does not throw). Text a row's
   * stream was holding back (a possible stop string, half a character) is not streamed then.
   */
  readonly signal?: AbortSignal;
  /** Apply the loaded adapter (default true); false gives the base model (the reference policy). */
  readonly useAdapter?: boolean;
  readonly onToken?: (event: TokenEvent) => void;
  /**
   * Also record, per sampled token (the end token included), log softmax(raw logits / T) at this
   * temperature: the policy's own log-prob as a training graph computes it (GRPO's ℓ), without the
   * repetition penalty, top-k or top-p that shaped the sampling distribution.
   */
  readonly scoreTemperature?: number;
  /** Raw logits [B, V] before any processing, at each step (step 0 comes from the prefill). */
  readonly onLogits?: (step: number, logits: Float32Array) => void;
}

export type { FinishReason };

export interface GeneratedRow {
  /** New tokens, without the EOS token; with a stop string, up to the token that completed it. */
  readonly tokens: number[];
  /**
   * log p of each of `tokens` under the distribution it was drawn from (see pickToken): greedy,
   * log-softmax after the repetition penalty; sampling, after penalty, temperature, top-k, top-p.
   */
  readonly logProbs: number[];
  /** Length of the row's prompt in tokens (without padding). */
  readonly promptTokens: number;
  /** The end token that finished the row (finishReason `eos`), which `tokens` leaves out. */
  readonly endToken?: number;
  /** log p of `endToken`, as `logProbs` are of `tokens`. */
  readonly endLogProb?: number;
  /** With `scoreTemperature`: log softmax(logits / T) of each of `tokens`, then of `endToken` when there is one. */
  readonly scoredLogProbs?: number[];
  /** Decoded new tokens (special tokens skipped), cut before the stop string. */
  readonly text: string;
  readonly finishReason: FinishReason;
  readonly stop?: string;
}

export const GREEDY: SamplingSettings = { doSample: false, temperature: 1, topK: 0, topP: 1, repetitionPenalty: 1 };

function nonFiniteLogits(dir: string, step: number, row: number): AttuneError {
  return new AttuneError(
    `generation: the logits of ${dir} are not numbers (NaN) at new token ${step + 1} of row ${row}: the weights or the adapter hold NaN or infinite values`,
    "Check the model folder's weights (a damaged file, or a fine-tune that diverged); `attune perplexity` on the base model alone shows whether the base is sound.",
  );
}

function checkSettings(s: SamplingSettings): void {
  const bad = (what: string, hint: string): never => {
    throw new AttuneError(`generation: ${what}`, hint);
  };
  if (s.doSample && !(s.temperature > 0 && Number.isFinite(s.temperature))) bad(`temperature must be a positive number when sampling, got ${s.temperature}`, 'use greedy decoding instead of temperature 0');
  if (!(s.topP > 0 && s.topP <= 1)) bad(`top_p must be in (0, 1], got ${s.topP}`, 'top_p 1 disables nucleus filtering');
  if (!(Number.isInteger(s.topK) && s.topK >= 0)) bad(`top_k must be a non-negative integer, got ${s.topK}`, 'top_k 0 disables it');
  if (!(s.repetitionPenalty > 0 && Number.isFinite(s.repetitionPenalty))) bad(`repetition_penalty must be a positive number, got ${s.repetitionPenalty}`, '1 disables it');
}

interface RowState {
  readonly seen: Set<number>;
  readonly tokens: number[];
  readonly logProbs: number[];
  readonly scored: number[];
  endToken?: number;
  endLogProb?: number;
  readonly text: RowText;
  readonly rng: Xoshiro128;
  readonly sampling: SamplingSettings;
  readonly maxNew: number;
  readonly watchText: boolean;
  done: boolean;
  finishReason: FinishReason;
  stop?: string;
  cut?: number;
}

function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}

export async function generateTokens(model: InferenceModel, prompts: readonly (readonly number[])[], options: GenerateOptions): Promise<GeneratedRow[]> {
  const { config, tokenizer } = model.folder;
  const naming = { context: 'generation', rowLabel: 'prompt' } as const;
  checkTokenIds(prompts, config, naming);
  const perRow = options.rows ?? [];
  if (perRow.length > prompts.length) throw new AttuneError(`generation: ${perRow.length} per-row settings for ${prompts.length} prompts`, 'give at most one per prompt');
  const checkMaxNew = (n: number, what: string): void => {
    if (!Number.isInteger(n) || n < 1) throw new AttuneError(`generation: max new tokens${what} must be a positive integer, got ${n}`);
  };
  checkMaxNew(options.maxNewTokens, '');
  const rowMaxNew = prompts.map((_, r) => perRow[r]?.maxNewTokens ?? options.maxNewTokens);
  rowMaxNew.forEach((n, r) => perRow[r]?.maxNewTokens !== undefined && checkMaxNew(n, ` of row ${r}`));
  const maxNew = Math.max(...rowMaxNew);
  const rowSampling = prompts.map((_, r) => perRow[r]?.sampling ?? options.sampling ?? GREEDY);
  for (const s of new Set(rowSampling)) checkSettings(s);
  const eos = new Set(options.eosTokenIds ?? model.folder.stopTokenIds);
  const useAdapter = options.useAdapter ?? true;
  const signal = options.signal;

  const padId = padIdOf(config, tokenizer.pad?.id ?? null, [...eos]);
  const S = Math.max(...prompts.map((p) => p.length));
  const total = S + maxNew;
  if (total > config.maxPositionEmbeddings) {
    throw new AttuneError(`generation: prompt (${S} tokens) + max new tokens (${maxNew}) = ${total} exceeds the model's max_position_embeddings (${config.maxPositionEmbeddings})`, 'shorten the prompt or lower max new tokens');
  }
  if (config.slidingWindow !== null && total > config.slidingWindow) {
    throw new AttuneError(`generation: ${total} tokens exceed the model's sliding_window (${config.slidingWindow}), which this engine does not implement`, 'shorten the prompt or lower max new tokens');
  }
  const prefill = padBatch(
    prompts.map((ids) => ({ ids })),
    config,
    { padId, side: 'left', ...naming },
  );
  const B = prefill.batch;

  const { numLayers: L, numKvHeads: nKV, headDim: hd, vocabSize: V } = config;
  // The last new token is never fed back, so the cache holds S + maxNew − 1 positions.
  const C = S + maxNew - 1;
  const keys = Array.from({ length: L }, () => new Float32Array(B * nKV * C * hd));
  const values = Array.from({ length: L }, () => new Float32Array(B * nKV * C * hd));
  const pastMask = new BigInt64Array(B * C);

  const [seedLo, seedHi] = seedWords(options.seed ?? randomSeed());
  const scoreTemperature = options.scoreTemperature;
  if (scoreTemperature !== undefined && !(scoreTemperature > 0 && Number.isFinite(scoreTemperature))) {
    throw new AttuneError(`generation: scoreTemperature must be a positive number, got ${scoreTemperature}`);
  }
  const rows: RowState[] = prompts.map((p, r) => {
    const own = perRow[r];
    const stops = (own?.stopStrings ?? options.stopStrings ?? []).filter((s) => s.length > 0);
    // A row's own seed keys its stream alone (as row 0 of a call with that seed).
    const rng = own?.seed !== undefined ? Xoshiro128.fromWords([...seedWords(own.seed), 0]) : Xoshiro128.fromWords([seedLo, seedHi, r]);
    return {
      seen: new Set(p),
      tokens: [],
      logProbs: [],
      scored: [],
      text: new RowText(stops),
      rng,
      sampling: rowSampling[r] as SamplingSettings,
      maxNew: rowMaxNew[r] as number,
      // Text is only needed per step to find stop strings or to stream.
      watchText: stops.length > 0 || options.onToken !== undefined,
      done: false,
      finishReason: 'length',
    };
  });
  const result = (): GeneratedRow[] =>
    rows.map((row, r) => {
      const text = tokenizer.decode(row.tokens, { skipSpecialTokens: true });
      return {
        tokens: row.tokens,
        logProbs: row.logProbs,
        promptTokens: (prompts[r] as readonly number[]).length,
        text: row.cut === undefined ? text : text.slice(0, row.cut),
        finishReason: row.finishReason,
        ...(row.stop !== undefined ? { stop: row.stop } : {}),
        ...(row.endToken !== undefined ? { endToken: row.endToken, endLogProb: row.endLogProb! } : {}),
        ...(scoreTemperature !== undefined ? { scoredLogProbs: row.scored } : {}),
      };
    });
  if (signal?.aborted) return result();
  const session = await model.session('cached', useAdapter);
  const loraFeeds = model.adapterFeeds(useAdapter);

  const writeCache = (out: Record<string, RunOutput>, start: number, len: number): void => {
    for (let l = 0; l < L; l++) {
      for (const [cache, name] of [[keys[l], CACHED_OUTPUTS.presentKey(l)], [values[l], CACHED_OUTPUTS.presentValue(l)]] as const) {
        const src = out[name]?.data as Float32Array;
        for (let bh = 0; bh < B * nKV; bh++) {
          (cache as Float32Array).set(src.subarray(bh * len * hd, (bh + 1) * len * hd), (bh * C + start) * hd);
        }
      }
    }
  };
  const run = async (ids: BigInt64Array, mask: BigInt64Array, seq: number): Promise<Record<string, RunOutput>> => {
    const feeds: Record<string, Feed> = { ...loraFeeds, [CACHED_INPUTS.inputIds]: ids, [CACHED_INPUTS.attentionMask]: mask, [CACHED_INPUTS.pastMask]: pastMask };
    for (let l = 0; l < L; l++) {
      feeds[CACHED_INPUTS.pastKey(l)] = keys[l] as Float32Array;
      feeds[CACHED_INPUTS.pastValue(l)] = values[l] as Float32Array;
    }
    return session.run(feeds, { dims: { batch: B, seq, cache: C } });
  };

  const promptMask = prefill.feeds[CACHED_INPUTS.attentionMask] as BigInt64Array;
  let out = await run(prefill.feeds[CACHED_INPUTS.inputIds] as BigInt64Array, promptMask, S);
  writeCache(out, 0, S);
  for (let b = 0; b < B; b++) pastMask.set(promptMask.subarray(b * S, (b + 1) * S), b * C);
  const stepIds = new BigInt64Array(B);
  const stepMask = new BigInt64Array(B).fill(1n);

  for (let step = 0; step < maxNew; step++) {
    // An abort during the last run still stops before this step's tokens.
    if (signal?.aborted) break;
    const logits = out[CACHED_OUTPUTS.logits]?.data as Float32Array;
    options.onLogits?.(step, logits);
    for (let b = 0; b < B; b++) {
      const row = rows[b] as RowState;
      if (row.done) {
        stepIds[b] = BigInt(padId);
        continue;
      }
      const rowLogits = logits.subarray(b * V, (b + 1) * V);
      const scoring = scoreTemperature === undefined ? 'none' : scoredAsDrawn(row.sampling, scoreTemperature) ? 'drawn' : 'raw';
      // pickToken rewrites the logits only for a repetition penalty: then score a copy of the raw ones.
      const raw = scoring === 'raw' && row.sampling.repetitionPenalty !== 1 ? rowLogits.slice() : rowLogits;
      const { token, logProb } = pickToken(rowLogits, row.seen, row.sampling, row.rng);
      // NaN logits pick no token (or a meaningless one): weights or an adapter gone non-finite.
      if (token === undefined || Number.isNaN(logProb)) throw nonFiniteLogits(model.folder.dir, step, b);
      stepIds[b] = BigInt(token);
      if (scoring === 'drawn') row.scored.push(logProb);
      else if (scoring === 'raw') row.scored.push(logSoftmaxAt(raw, token, scoreTemperature));
      if (eos.has(token)) {
        row.done = true;
        row.finishReason = 'eos';
        row.endToken = token;
        row.endLogProb = logProb;
        options.onToken?.({ row: b, token, text: row.text.delta(tokenizer.decode(row.tokens, { skipSpecialTokens: true }), true) });
        continue;
      }
      row.tokens.push(token);
      row.logProbs.push(logProb);
      row.seen.add(token);
      const final = row.tokens.length === row.maxNew;
      // The row's last token: finishReason stays `length`.
      if (final) row.done = true;
      if (!row.watchText) continue;
      const text = tokenizer.decode(row.tokens, { skipSpecialTokens: true });
      const hit = row.text.findStop(text);
      if (hit) {
        row.done = true;
        row.finishReason = 'stop';
        row.stop = hit.stop;
        row.cut = hit.index;
        options.onToken?.({ row: b, token, text: row.text.delta(text.slice(0, hit.index), true) });
        continue;
      }
      options.onToken?.({ row: b, token, text: row.text.delta(text, final) });
    }
    if (step === maxNew - 1 || rows.every((r) => r.done) || signal?.aborted) break;
    // The token attends to itself through the chunk; its key/value then fill the next free slot.
    // Its position is the count of real tokens before it, which the graph takes from past_mask.
    const slot = S + step;
    out = await run(stepIds, stepMask, 1);
    writeCache(out, slot, 1);
    for (let b = 0; b < B; b++) pastMask[b * C + slot] = 1n;
  }

  return result();
}
