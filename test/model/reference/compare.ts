/** Runs decoder programs and compares their outputs with the float64 reference, per real token. */
import type { Feed, Program, RunOutput } from '../../../core/engine/index.js';
import { EngineSession } from '../../../core/engine/index.js';
import type { DecoderBatch } from '../../../core/model/decoder/index.js';

/** float64 graphs run with basic optimization: ORT's fusions target float-only contrib kernels. */
export async function runOnce(program: Program, feeds: Readonly<Record<string, Feed>>, dims: Readonly<Record<string, number>>, float64 = false): Promise<Record<string, RunOutput>> {
  const session = await EngineSession.create(program, float64 ? { graphOptimizationLevel: 'basic' } : {});
  try {
    return await session.run(feeds, { dims });
  } finally {
    await session.release();
  }
}

/** The padded ids and mask of a batch as plain rows, for the reference. */
export function batchRows(batch: DecoderBatch): { ids: number[][]; mask: number[][] } {
  const ids = batch.feeds['input_ids'] as BigInt64Array;
  const mask = batch.feeds['attention_mask'] as BigInt64Array;
  const rows = { ids: [] as number[][], mask: [] as number[][] };
  for (let r = 0; r < batch.batch; r++) {
    rows.ids.push(Array.from(ids.subarray(r * batch.seq, (r + 1) * batch.seq), Number));
    rows.mask.push(Array.from(mask.subarray(r * batch.seq, (r + 1) * batch.seq), Number));
  }
  return rows;
}

export interface Deviation {
  /** Largest |engine − reference| over real tokens. */
  readonly maxError: number;
  /** Largest |reference| over the same values, the scale the error is judged against. */
  readonly maxMagnitude: number;
  readonly compared: number;
}

/** engine [B, S, width] vs reference rows [S, width], over positions where mask = 1. */
export function deviation(engine: ArrayLike<number>, reference: readonly Float64Array[], mask: readonly (readonly number[])[], width: number): Deviation {
  let maxError = 0;
  let maxMagnitude = 0;
  let compared = 0;
  const seq = mask[0]?.length ?? 0;
  reference.forEach((ref, b) => {
    for (let i = 0; i < seq; i++) {
      if (!mask[b]?.[i]) continue;
      for (let k = 0; k < width; k++) {
        const e = ref[i * width + k] as number;
        const a = engine[(b * seq + i) * width + k] as number;
        const err = Math.abs(a - e);
        if (!(err <= maxError)) maxError = Number.isNaN(err) ? Infinity : err;
        maxMagnitude = Math.max(maxMagnitude, Math.abs(e));
        compared++;
      }
    }
  });
  return { maxError, maxMagnitude, compared };
}
