/**
 * Micro-batch collation: tokenized examples → the SFT graph's feeds, right-padded to a static
 * (batch, seq) bucket. Rows beyond the examples (the tail of an evaluation split) are padding
 * rows whose targets and labels are all ignored, so a bucket's shape never changes.
 */
import { AttuneError } from '../kernel/errors.js';
import { IGNORE_INDEX } from '../data/tokenize/tokenize-chat.js';
import { NO_LABEL } from './objective.js';
import { feedNames } from './sft-graph.js';

export interface TrainItem {
  readonly id: string;
  readonly inputIds: readonly number[];
  /** Token ids inside assistant replies to learn, IGNORE_INDEX elsewhere (aligned with inputIds). */
  readonly labels: readonly number[];
  /** Index of the last prompt token (where heads pool). */
  readonly lastPromptIndex: number;
  /** Class id per label field (absent or NO_LABEL: no label). */
  readonly classes: Readonly<Record<string, number>>;
}

export interface CollatedBatch {
  readonly feeds: Record<string, BigInt64Array | Float32Array>;
  readonly batch: number;
  readonly seq: number;
  /** Real (non-padding) tokens in the batch. */
  readonly tokens: number;
  /** Scored target tokens. */
  readonly targetTokens: number;
}

/** The smallest multiple of `step` that holds `length`, capped at `max`. */
export function bucketLength(length: number, step: number, max: number): number {
  return Math.min(max, Math.max(step, Math.ceil(length / step) * step));
}

export function collate(items: readonly TrainItem[], shape: { batch: number; seq: number }, padId: number, labelNames: readonly string[]): CollatedBatch {
  const { batch, seq } = shape;
  if (items.length > batch) throw new AttuneError(`collate: ${items.length} examples do not fit a batch of ${batch}.`);
  const ids = new BigInt64Array(batch * seq).fill(BigInt(padId));
  const mask = new Float32Array(batch * seq);
  const positions = new Float32Array(batch * seq);
  const targets = new BigInt64Array(batch * seq).fill(BigInt(IGNORE_INDEX));
  const lastPrompt = new BigInt64Array(batch);
  const labels = Object.fromEntries(labelNames.map((n) => [n, new BigInt64Array(batch).fill(BigInt(NO_LABEL))]));
  let tokens = 0;
  let targetTokens = 0;
  for (let b = 0; b < batch; b++) {
    const row = b * seq;
    for (let t = 0; t < seq; t++) positions[row + t] = t;
    lastPrompt[b] = BigInt(row);
    const item = items[b];
    if (!item) continue;
    const n = item.inputIds.length;
    if (n > seq) throw new AttuneError(`collate: example '${item.id}' has ${n} tokens, more than the bucket's ${seq}.`, 'Raise maxLength or the bucket size; examples are truncated to maxLength when tokenized.');
    if (item.labels.length !== n) throw new AttuneError(`collate: example '${item.id}' has ${item.labels.length} labels for ${n} tokens.`);
    for (let t = 0; t < n; t++) {
      ids[row + t] = BigInt(item.inputIds[t] as number);
      mask[row + t] = 1;
      // Causal LM: position t predicts token t+1.
      const next = t + 1 < n ? (item.labels[t + 1] as number) : IGNORE_INDEX;
      targets[row + t] = BigInt(next);
      if (next !== IGNORE_INDEX) targetTokens++;
    }
    tokens += n;
    if (item.lastPromptIndex < 0 || item.lastPromptIndex >= n) {
      throw new AttuneError(`collate: example '${item.id}' has last prompt index ${item.lastPromptIndex} outside its ${n} tokens.`);
    }
    lastPrompt[b] = BigInt(row + item.lastPromptIndex);
    for (const name of labelNames) {
      const id = item.classes[name];
      if (id !== undefined && id !== NO_LABEL) (labels[name] as BigInt64Array)[b] = BigInt(id);
    }
  }
  const feeds: Record<string, BigInt64Array | Float32Array> = {
    [feedNames.ids]: ids,
    [feedNames.mask]: mask,
    [feedNames.positions]: positions,
    [feedNames.targets]: targets,
    [feedNames.lastPrompt]: lastPrompt,
  };
  for (const name of labelNames) feeds[feedNames.label(name)] = labels[name] as BigInt64Array;
  return { feeds, batch, seq, tokens, targetTokens };
}
