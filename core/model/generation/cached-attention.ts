/**
 * Attention of a chunk of new tokens over a fixed-capacity KV cache plus the chunk itself, forward
 * only, without copying the cache: scores against the cache and against the chunk are computed
 * separately and joined (a concat of [rows, C] and [rows, S] score blocks, not of the [C, hd]
 * keys), so the cache tensors are read in place from the buffers JS feeds.
 *
 * Grouped-query heads as in the training primitive: q [B, nH, S, hd] is viewed as
 * [B, nKV, rep·S, hd], head h using kv head ⌊h/rep⌋ like HF repeat_kv.
 */
import type { Graph, Tensor } from '../../engine/index.js';
import { attr, ops } from '../../engine/index.js';

/** Masked scores sit this far below the rest so their probability is exactly 0 after softmax. */
const MASKED = 1e9;

export interface CacheShape {
  readonly kvHeads: number;
  readonly rep: number;
  readonly headDim: number;
}

export interface ChunkMasks {
  /** [B, 1, 1, C]: 0 where a cache slot holds a real token, −1e9 where it is empty or padding. */
  readonly pastBias: Tensor;
  /** [B, 1, 1, S, S]: causal within the chunk and 0/−1e9 for the chunk's padding keys. */
  readonly chunkBias: Tensor;
}

function scaledScores(g: Graph, q: Tensor, k: Tensor, scale: number): Tensor {
  return g.node('FusedMatMul', [q, k], { transB: 1, alpha: attr.float(scale) }, { domain: 'com.microsoft' })[0] as Tensor;
}

/** Biases shared by every layer: built once per graph from the float masks (1 real, 0 not). */
export function chunkMasks(pastMask: Tensor, chunkMask: Tensor): ChunkMasks {
  const g = pastMask.graph;
  const toBias = (m: Tensor): Tensor => ops.mul(ops.sub(m, 1), MASKED);
  // Unsqueeze, not Reshape: ONNX Reshape reads a 0 in its target as "keep this dim", and an
  // exported graph's first step runs with an empty cache (transformers.js feeds 0-length pasts).
  const pastBias = ops.unsqueeze(toBias(pastMask), [1, 2]);
  const seq = ops.arange(g, 'seq');
  const causal = ops.greaterEqual(ops.unsqueeze(seq, 1), ops.unsqueeze(seq, 0));
  const causalBias = ops.reshape(ops.where(causal, g.scalar(0, 'float32'), g.scalar(-MASKED, 'float32')), [1, 1, 1, 'seq', 'seq']);
  const padBias = ops.reshape(toBias(chunkMask), ['batch', 1, 1, 1, 'seq']);
  return { pastBias, chunkBias: ops.add(causalBias, padBias) };
}

/**
 * q [B, nH, S, hd], chunk k/v [B, nKV, S, hd], cache k/v [B, nKV, C, hd] → [B, nH, S, hd].
 * Cache slots and chunk keys are masked by `masks`; the chunk follows the cache in time.
 */
export function cachedAttention(q: Tensor, k: Tensor, v: Tensor, pastK: Tensor, pastV: Tensor, masks: ChunkMasks, shape: CacheShape): Tensor {
  const g = q.graph;
  const { kvHeads, rep, headDim } = shape;
  const scale = 1 / Math.sqrt(headDim);
  const rows = rep === 1 ? 'seq' : `${rep}*seq`;
  const qg = ops.reshape(q, ['batch', kvHeads, rows, headDim]);
  const past = ops.add(scaledScores(g, qg, pastK, scale), masks.pastBias);
  const chunk5 = ops.add(ops.reshape(scaledScores(g, qg, k, scale), ['batch', kvHeads, rep, 'seq', 'seq']), masks.chunkBias);
  const chunk = ops.reshape(chunk5, ['batch', kvHeads, rows, 'seq']);
  const p = ops.softmax(ops.concat([past, chunk], -1), -1);
  const pPast = ops.slice(p, { axis: -1, start: 0, end: 'cache' });
  const pChunk = ops.slice(p, { axis: -1, start: 'cache' });
  const out = ops.add(g.node('MatMul', [pPast, pastV])[0] as Tensor, g.node('MatMul', [pChunk, v])[0] as Tensor);
  return ops.reshape(out, q.shape);
}
