/** Neural-network composites built from differentiable ops: norms, rotary embedding, masks. */
import type { DType } from '../dtype.js';
import type { Graph } from '../graph.js';
import type { Dim } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { add, cast, cos, greaterEqual, logicalAnd, mul, neg, rsqrt, sin, sub, where } from './elementwise.js';
import { mean } from './reduce.js';
import { concat, reshape, slice, unsqueeze } from './shape-ops.js';
import { arange } from './index-ops.js';

/** x / sqrt(mean(x², -1) + eps) * weight (Llama/Qwen RMSNorm). */
export function rmsNorm(x: Tensor, weight: Tensor, eps = 1e-6): Tensor {
  const inv = rsqrt(add(mean(mul(x, x), -1, true), eps));
  return mul(mul(x, inv), weight);
}

/** (x - mean) / sqrt(var + eps) * weight + bias over the last axis. */
export function layerNorm(x: Tensor, weight: Tensor, bias?: Tensor, eps = 1e-5): Tensor {
  const xc = sub(x, mean(x, -1, true));
  const y = mul(mul(xc, rsqrt(add(mean(mul(xc, xc), -1, true), eps))), weight);
  return bias ? add(y, bias) : y;
}

/** HF rotate_half: [x1, x2] -> [-x2, x1] over the last axis. */
export function rotateHalf(x: Tensor): Tensor {
  const d = x.shape[x.rank - 1];
  if (typeof d !== 'number' || d % 2 !== 0) throw new Error(`engine: rotateHalf: last dim of ${x.describe()} must be an even number`);
  const x1 = slice(x, { axis: -1, start: 0, end: d / 2 });
  const x2 = slice(x, { axis: -1, start: d / 2 });
  return concat([neg(x2), x1], -1);
}

/** Rotary position embedding: x·cos + rotate_half(x)·sin, cos/sin broadcastable to x ([.., S, D]). */
export function applyRotary(x: Tensor, cos: Tensor, sin: Tensor): Tensor {
  return add(mul(x, cos), mul(rotateHalf(x), sin));
}

/**
 * cos/sin tables [B, 1, S, D] for positions [B, S] (int64), HF layout (frequencies repeated twice),
 * ready to broadcast over heads in [B, H, S, D].
 */
export function rotaryTables(positions: Tensor, headDim: number, theta = 10000, dtype: DType = 'float32'): { cos: Tensor; sin: Tensor } {
  const g = positions.graph;
  const half = headDim / 2;
  const invFreq = Array.from({ length: half }, (_, i) => 1 / Math.pow(theta, (2 * i) / headDim));
  const freqs = mul(unsqueeze(cast(positions, dtype), -1), g.constant(invFreq, dtype, [half]));
  const emb = concat([freqs, freqs], -1);
  return { cos: unsqueeze(cos(emb), 1), sin: unsqueeze(sin(emb), 1) };
}

/** bool [S, S]: true where query i may attend key j (j <= i). */
export function causalMask(g: Graph, seq: Dim): Tensor {
  const r = arange(g, seq);
  return greaterEqual(unsqueeze(r, 1), unsqueeze(r, 0));
}

/** bool [B, 1, 1, S] from an attention mask [B, S] (1/true = real token). */
export function paddingMask(attentionMask: Tensor): Tensor {
  const m = attentionMask.dtype === 'bool' ? attentionMask : greaterEqual(cast(attentionMask, 'int64'), 1);
  return reshape(m, [attentionMask.shape[0] as Dim, 1, 1, attentionMask.shape[1] as Dim]);
}

/** Causal and padding masks combined: bool [B, 1, S, S]. */
export function attentionMask(attentionMask2d: Tensor): Tensor {
  const seq = attentionMask2d.shape[1] as Dim;
  return logicalAnd(unsqueeze(causalMask(attentionMask2d.graph, seq), [0, 1]), paddingMask(attentionMask2d));
}

/** Additive bias from a bool mask: 0 where allowed, a large negative number elsewhere. */
export function maskToBias(mask: Tensor, dtype: DType = 'float32'): Tensor {
  const g = mask.graph;
  return where(mask, g.scalar(0, dtype), g.scalar(dtype === 'float64' ? -1e30 : -1e9, dtype));
}
