/**
 * Encoded rows → padded feeds, with position ids and the decoder's pooled-token index computed as
 * transformers computes them for the same padded batch:
 *   BERT      positions 0…S−1 for every row (the registered buffer), whatever the padding;
 *   RoBERTa   padding_idx + cumsum(ids ≠ pad) on real tokens, padding_idx on pads
 *             (create_position_ids_from_input_ids), so left and right padding agree;
 *   decoders  positions 0…S−1 (cache_position) and the pooled token = the rightmost token whose id
 *             is not pad_token_id (argmax of index × non-pad mask); without a pad id, the last real token.
 * Right padding (the default) gives every family the logits of the unpadded input. Left padding is
 * here for checking HF semantics: it puts a pad at position 0, which encoder heads read.
 */
import type { Feed } from '../../engine/index.js';
import type { ClassifierConfig } from './classifier-config.js';
import { CLASSIFIER_INPUTS } from './classifier-graph.js';
import type { EncodedInput } from './classifier-encode.js';

export type PaddingSide = 'right' | 'left';

export interface ClassifierBatch {
  readonly feeds: Record<string, Feed>;
  readonly dims: Record<string, number>;
}

/** The id padding is written with: the model's pad token, else 0 (masked out either way). */
export function paddingId(config: ClassifierConfig): number {
  return config.kind === 'encoder' ? config.encoder.padTokenId : (config.decoder.padTokenId ?? 0);
}

export function classifierBatch(config: ClassifierConfig, rows: readonly EncodedInput[], seq: number, side: PaddingSide = 'right'): ClassifierBatch {
  const batch = rows.length;
  const pad = paddingId(config);
  const padId = BigInt(pad);
  const ids = new BigInt64Array(batch * seq).fill(padId);
  const mask = new BigInt64Array(batch * seq);
  const types = new BigInt64Array(batch * seq);
  const positions = new BigInt64Array(batch * seq);
  const last = new BigInt64Array(batch);
  const robertaPositions = config.kind === 'encoder' && config.encoder.family !== 'bert';
  const poolByPadId = config.kind === 'decoder' && config.decoder.padTokenId !== null;
  rows.forEach((row, b) => {
    if (row.ids.length > seq) throw new Error(`classifier batch: row ${b} has ${row.ids.length} tokens, more than the padded length ${seq}`);
    const offset = side === 'right' ? 0 : seq - row.ids.length;
    row.ids.forEach((id, t) => {
      ids[b * seq + offset + t] = BigInt(id);
      mask[b * seq + offset + t] = 1n;
      types[b * seq + offset + t] = BigInt(row.typeIds[t] ?? 0);
    });
    let real = 0;
    let rightmost = 0;
    for (let t = 0; t < seq; t++) {
      const at = b * seq + t;
      const isPad = ids[at] === padId;
      if (robertaPositions) {
        if (!isPad) real++;
        positions[at] = BigInt(isPad ? pad : pad + real);
      } else {
        positions[at] = BigInt(t);
      }
      const counts = poolByPadId ? !isPad : mask[at] === 1n;
      if (counts) rightmost = t;
    }
    last[b] = BigInt(b * seq + rightmost);
  });
  const feeds: Record<string, Feed> = {
    [CLASSIFIER_INPUTS.inputIds]: ids,
    [CLASSIFIER_INPUTS.attentionMask]: mask,
    [CLASSIFIER_INPUTS.positionIds]: positions,
  };
  if (config.kind === 'encoder') feeds[CLASSIFIER_INPUTS.tokenTypeIds] = types;
  else feeds[CLASSIFIER_INPUTS.lastTokenIndex] = last;
  return { feeds, dims: { batch, seq } };
}
