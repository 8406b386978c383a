/** Left-padded batches as Hugging Face builds them: attention mask and position ids from it. */
import type { DecoderConfig } from '../folder/config.js';
import { AttuneError } from '../../kernel/errors.js';

export interface PaddedBatch {
  readonly batch: number;
  readonly seq: number;
  /** [batch, seq] */
  readonly ids: BigInt64Array;
  /** [batch, seq]: 1 real token, 0 padding. */
  readonly mask: Float32Array;
  /** [batch, seq]: cumsum(mask) − 1 on real tokens, 1 on padding (HF's masked_fill). */
  readonly positions: Float32Array;
  /** Real tokens per row. */
  readonly lengths: readonly number[];
}

/** Checks every id against the vocabulary; `what` names the rows in errors ("prompt", "text"). */
export function checkTokenRows(rows: readonly (readonly number[])[], config: DecoderConfig, what: string): void {
  if (rows.length === 0) throw new AttuneError(`no ${what}s given`, `pass at least one ${what}`);
  rows.forEach((row, r) => {
    if (row.length === 0) throw new AttuneError(`${what} ${r} is empty (0 tokens)`, `every ${what} needs at least one token`);
    row.forEach((id, t) => {
      if (!Number.isInteger(id) || id < 0 || id >= config.vocabSize) {
        throw new AttuneError(`${what} ${r}, token ${t}: id ${id} is outside the vocabulary [0, ${config.vocabSize})`, 'the ids come from a different tokenizer than the model');
      }
    });
  });
}

export function leftPad(rows: readonly (readonly number[])[], padId: number): PaddedBatch {
  const batch = rows.length;
  const seq = Math.max(...rows.map((r) => r.length));
  const ids = new BigInt64Array(batch * seq).fill(BigInt(padId));
  const mask = new Float32Array(batch * seq);
  const positions = new Float32Array(batch * seq).fill(1);
  rows.forEach((row, b) => {
    const start = seq - row.length;
    row.forEach((id, t) => {
      const at = b * seq + start + t;
      ids[at] = BigInt(id);
      mask[at] = 1;
      positions[at] = t;
    });
  });
  return { batch, seq, ids, mask, positions, lengths: rows.map((r) => r.length) };
}

/** The id that fills padding: the model's pad token, else its first stop token, else 0 (masked anyway). */
export function padIdOf(config: DecoderConfig, padToken: number | null, stopIds: readonly number[]): number {
  return config.padTokenId ?? padToken ?? stopIds[0] ?? 0;
}
