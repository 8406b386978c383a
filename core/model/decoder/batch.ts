/**
 * Token rows → the decoder's feeds: ids, attention mask and labels padded to one length on the
 * left (generation, scoring) or the right (training), as int64 arrays with their dims.
 */
import type { Feed } from '../../engine/index.js';
import type { DecoderConfig } from '../folder/config.js';
import { AttuneError } from '../../base/errors.js';
import { IGNORE_INDEX } from '../../base/ignore-index.js';
import { DECODER_INPUTS } from './inputs.js';

export interface TokenRow {
  readonly ids: readonly number[];
  /** HF causal-LM labels aligned with ids (−100 ignored); default: no loss on this row. */
  readonly labels?: readonly number[];
}

/** How errors name the caller and its rows: "generation: prompt 2, token 5: …". */
export interface RowNaming {
  /** Default 'padBatch'. */
  readonly context?: string;
  /** Default 'row'. */
  readonly rowLabel?: string;
}

export interface PadOptions extends RowNaming {
  /** Fills padded ids; padded positions are masked, so any valid id works. */
  readonly padId: number;
  /** Default 'right'. */
  readonly side?: 'left' | 'right';
  /** Pad to this length instead of the longest row (static shape buckets). */
  readonly length?: number;
}

export interface DecoderBatch {
  readonly batch: number;
  readonly seq: number;
  /** input_ids, attention_mask, and labels when any row has them (int64 [batch, seq]). */
  readonly feeds: Record<string, Feed>;
  /** For `session.run(feeds, { dims })`. */
  readonly dims: { batch: number; seq: number };
  /** Offset of each row's first real token. */
  readonly starts: readonly number[];
}


/** Checks that there are rows, none empty, every id inside `config`'s vocabulary; errors name the row and token. */
export function checkTokenIds(rows: readonly (readonly number[])[], config: DecoderConfig, naming: RowNaming = {}): void {
  const where = naming.context ?? 'padBatch';
  const row = naming.rowLabel ?? 'row';
  if (rows.length === 0) throw new AttuneError(`${where}: no ${row}s given`, `pass at least one ${row}`);
  rows.forEach((ids, b) => {
    if (ids.length === 0) throw new AttuneError(`${where}: ${row} ${b} is empty (0 tokens)`, `every ${row} needs at least one token`);
    ids.forEach((id, t) => {
      if (!Number.isInteger(id) || id < 0 || id >= config.vocabSize) {
        throw new AttuneError(`${where}: ${row} ${b}, token ${t}: id ${id} is outside the vocabulary [0, ${config.vocabSize})`, 'the ids come from a different tokenizer than the model');
      }
    });
  });
}

/** Pads rows for `config`'s vocabulary; errors name the row and token. */
export function padBatch(rows: readonly TokenRow[], config: DecoderConfig, options: PadOptions): DecoderBatch {
  const where = options.context ?? 'padBatch';
  const row = options.rowLabel ?? 'row';
  checkTokenIds(
    rows.map((r) => r.ids),
    config,
    options,
  );
  const longest = Math.max(...rows.map((r) => r.ids.length));
  const seq = options.length ?? longest;
  if (!Number.isInteger(seq) || seq < longest) throw new AttuneError(`${where}: length ${options.length} is shorter than the longest ${row} (${longest} tokens)`);
  if (config.slidingWindow !== null && seq > config.slidingWindow) {
    throw new AttuneError(
      `${where}: sequences of ${seq} tokens exceed the model's sliding_window (${config.slidingWindow}); the decoder attends over the full causal window`,
      `truncate ${row}s to at most ${config.slidingWindow} tokens`,
    );
  }
  const side = options.side ?? 'right';
  const batch = rows.length;
  const ids = new BigInt64Array(batch * seq).fill(BigInt(options.padId));
  const mask = new BigInt64Array(batch * seq);
  const labels = new BigInt64Array(batch * seq).fill(BigInt(IGNORE_INDEX));
  const starts: number[] = [];
  rows.forEach((r, b) => {
    if (r.labels && r.labels.length !== r.ids.length) throw new AttuneError(`${where}: ${row} ${b} has ${r.ids.length} ids but ${r.labels.length} labels`);
    const start = side === 'left' ? seq - r.ids.length : 0;
    starts.push(start);
    r.ids.forEach((id, t) => {
      ids[b * seq + start + t] = BigInt(id);
      mask[b * seq + start + t] = 1n;
      const label = r.labels?.[t];
      if (label !== undefined) labels[b * seq + start + t] = BigInt(label);
    });
  });
  return {
    batch,
    seq,
    feeds: {
      [DECODER_INPUTS.inputIds]: ids,
      [DECODER_INPUTS.attentionMask]: mask,
      ...(rows.some((r) => r.labels !== undefined) ? { [DECODER_INPUTS.labels]: labels } : {}),
    },
    dims: { batch, seq },
    starts,
  };
}
