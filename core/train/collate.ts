/**
 * Micro-batch collation: tokenized examples → the SFT graph's feeds, right-padded to a static
 * (batch, seq) bucket by the decoder's own `padBatch`. Rows beyond the examples (the tail of an
 * evaluation split) are one pad token with no labels and no classes: they score nothing, and a
 * bucket's shape never changes.
 */
import type { Feed } from '../engine/index.js';
import type { DecoderConfig } from '../model/folder/config.js';
import { padBatch } from '../model/decoder/index.js';
import type { TokenRow } from '../model/decoder/index.js';
import { AttuneError } from '../base/errors.js';
import { IGNORE_INDEX } from '../base/ignore-index.js';
import { feedNames } from './sft-graph.js';
import type { ExampleInput } from './objective.js';

export interface TrainItem {
  readonly id: string;
  readonly inputIds: readonly number[];
  /** Token ids inside assistant replies to learn, IGNORE_INDEX elsewhere (aligned with inputIds). */
  readonly labels: readonly number[];
  /** Index of the last prompt token (where heads pool). */
  readonly lastPromptIndex: number;
  /** Class id per label field (absent or IGNORE_INDEX: no label). */
  readonly classes: Readonly<Record<string, number>>;
  /** Value per declared example input (absent: the input's fallback). */
  readonly values?: Readonly<Record<string, number>>;
}

export interface CollatedBatch {
  readonly feeds: Record<string, Feed>;
  readonly batch: number;
  readonly seq: number;
  /** Real (non-padding) tokens of the examples. */
  readonly tokens: number;
  /** Scored next-token targets (labels after the first position): the LM loss's mean divisor. */
  readonly targetTokens: number;
  /** Examples carrying a label, per label field (what a head's loss is a mean over). */
  readonly labelled: Readonly<Record<string, number>>;
}

/** The smallest multiple of `step` that holds `length`, capped at `max`. */
export function bucketLength(length: number, step: number, max: number): number {
  return Math.min(max, Math.max(step, Math.ceil(length / step) * step));
}

export interface CollateShape {
  readonly batch: number;
  readonly seq: number;
  readonly padId: number;
}

export function collate(items: readonly TrainItem[], shape: CollateShape, config: DecoderConfig, labelNames: readonly string[], inputs: readonly ExampleInput[] = []): CollatedBatch {
  const { batch, seq, padId } = shape;
  if (items.length > batch) throw new AttuneError(`collate: ${items.length} examples do not fit a batch of ${batch}.`);
  const rows: TokenRow[] = [];
  const lastPrompt = new BigInt64Array(batch);
  const labels = Object.fromEntries(labelNames.map((n) => [n, new BigInt64Array(batch).fill(BigInt(IGNORE_INDEX))]));
  const values = inputs.map((field) => new Float32Array(batch).fill(field.fallback));
  let tokens = 0;
  let targetTokens = 0;
  const labelled: Record<string, number> = Object.fromEntries(labelNames.map((n) => [n, 0]));
  for (let b = 0; b < batch; b++) {
    const item = items[b];
    if (!item) {
      rows.push({ ids: [padId] });
      lastPrompt[b] = BigInt(b * seq);
      continue;
    }
    const n = item.inputIds.length;
    if (n > seq) throw new AttuneError(`collate: example '${item.id}' has ${n} tokens, more than the bucket's ${seq}.`, 'Raise maxLength or the bucket size; examples are truncated to maxLength when tokenized.');
    if (item.labels.length !== n) throw new AttuneError(`collate: example '${item.id}' has ${item.labels.length} labels for ${n} tokens.`);
    if (item.lastPromptIndex < 0 || item.lastPromptIndex >= n) {
      throw new AttuneError(`collate: example '${item.id}' has last prompt index ${item.lastPromptIndex} outside its ${n} tokens.`);
    }
    rows.push({ ids: item.inputIds, labels: item.labels });
    tokens += n;
    // The first label predicts nothing (no token precedes it), as in the decoder's shifted LM loss.
    for (let t = 1; t < n; t++) if (item.labels[t] !== IGNORE_INDEX) targetTokens++;
    lastPrompt[b] = BigInt(b * seq + item.lastPromptIndex);
    inputs.forEach((field, i) => {
      const v = item.values?.[field.name];
      if (v !== undefined) (values[i] as Float32Array)[b] = v;
    });
    for (const name of labelNames) {
      const id = item.classes[name];
      if (id === undefined || id === IGNORE_INDEX) continue;
      (labels[name] as BigInt64Array)[b] = BigInt(id);
      labelled[name] = (labelled[name] as number) + 1;
    }
  }
  const padded = padBatch(rows, config, { padId, side: 'right', length: seq });
  // Every graph reads labels, even a batch of head-only (classify) examples.
  const feeds: Record<string, Feed> = { [feedNames.labels]: new BigInt64Array(batch * seq).fill(BigInt(IGNORE_INDEX)), ...padded.feeds, [feedNames.lastPrompt]: lastPrompt };
  for (const name of labelNames) feeds[feedNames.label(name)] = labels[name] as BigInt64Array;
  inputs.forEach((field, i) => (feeds[feedNames.input(field.name)] = values[i] as Float32Array));
  return { feeds, batch, seq, tokens, targetTokens, labelled };
}
