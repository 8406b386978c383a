/**
 * Position ids and rotary tables as Hugging Face computes them for padded batches:
 * position_ids = cumsum(attention_mask) − 1, with padding set to 1 (masked_fill in
 * `prepare_inputs_for_generation`). A row's real tokens then get positions 0, 1, ... wherever
 * its padding sits, so left padding does not move them.
 */
import type { Tensor } from '../../engine/index.js';
import { ops } from '../../engine/index.js';
import type { DecoderConfig } from '../folder/config.js';
import { ropeInverseFrequencies } from '../folder/rope.js';
import type { ComputeDType } from './decoder-weights.js';

/** int64 [B, S] positions from an int64 [B, S] attention mask (1 real, 0 padding). */
export function positionIdsFromMask(mask: Tensor): Tensor {
  const positions = ops.sub(ops.cumsum(mask, 1), 1);
  return ops.where(ops.equal(mask, 0), 1, positions);
}

/**
 * cos/sin [B, S, head_dim / 2] for int64 positions [B, S]: one column per inverse frequency (with
 * the config's rope scaling) — what `rotaryEmbeddingFromHalves` takes.
 */
export function rotaryHalfTables(positions: Tensor, config: DecoderConfig, dtype: ComputeDType): { cos: Tensor; sin: Tensor } {
  const g = positions.graph;
  const inv = ropeInverseFrequencies(config.headDim, config.ropeTheta, config.ropeScaling);
  const angles = ops.mul(ops.unsqueeze(ops.cast(positions, dtype), -1), g.constant(dtype === 'float64' ? inv : Float32Array.from(inv), dtype, [inv.length]));
  return { cos: ops.cos(angles), sin: ops.sin(angles) };
}

/**
 * cos/sin [B, S, head_dim] for int64 positions [B, S]: the half tables repeated twice, as HF's
 * rotate_half convention lays them out.
 */
export function rotaryTables(positions: Tensor, config: DecoderConfig, dtype: ComputeDType): { cos: Tensor; sin: Tensor } {
  return repeatedHalves(rotaryHalfTables(positions, config, dtype));
}

/** Half tables [B, S, hd/2] laid out as HF's [B, S, hd] (each half repeated). */
export function repeatedHalves(half: { readonly cos: Tensor; readonly sin: Tensor }): { cos: Tensor; sin: Tensor } {
  return { cos: ops.concat([half.cos, half.cos], -1), sin: ops.concat([half.sin, half.sin], -1) };
}
