/**
 * Scaled dot-product attention with grouped-query heads, causal and key-padding masks, and a
 * hand-written backward.
 *
 * Grouped-query without repeating K/V: q [B, nH, S, hd] is viewed as [B, nKV, rep·S, hd] (head h
 * uses kv head ⌊h/rep⌋, as HF repeat_kv does), so each kv head meets its rep query heads in one
 * batched matmul, and dK, dV sum over the group inside the contraction.
 *
 * Backward, per kv head, with P the probabilities and O = P·V:
 *   D = rowsum(dO ∘ O)                       (FlashAttention identity; [rows, hd] not [rows, S])
 *   dP − D = [dO, −D]·[V, 1]ᵀ                 (−D rides along as an extra column: no S×S subtract)
 *   dS = P ∘ (dP − D);  dQ = s·dS·K;  dKᵀ = s·Qᵀ·dS;  dVᵀ = dOᵀ·P
 * The transposed operands are the thin [rows, hd] ones; the [hd, S] results are transposed after.
 */
import { defineOp } from '../custom-op.js';
import type { Dim } from '../shape.js';
import { dimDivExact, dimEq, dimMul, dimSub } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { stopGradient } from '../autodiff.js';
import { add, greaterEqual, mul, neg, sub, where } from '../ops/elementwise.js';
import { softmax, sum } from '../ops/reduce.js';
import { concat, expandTo, reshape, transposeLast2, unsqueeze } from '../ops/shape-ops.js';
import { arange } from '../ops/index-ops.js';
import { dim, fail, fusedMatMul, rawMatMul, requireDim, requireFloat, requireRank, requireSameDtype } from './util.js';

export interface AttentionOptions {
  /** Usually 1/√head_dim. */
  readonly scale: number;
  /** [B, S] float: 1 keeps a key position, 0 masks it (padding). */
  readonly keyPaddingMask?: Tensor;
  /** Query i attends keys j ≤ i only. */
  readonly causal: boolean;
}

/**
 * A masked score is pushed this far below the rest, so its probability underflows to exactly 0.
 * A row with every key masked (a padded query under left padding) stays finite, with an output
 * nobody reads.
 */
const MASKED = -1e9;

interface AttnAttrs {
  readonly scale: number;
  readonly batch: Dim;
  readonly kvHeads: Dim;
  readonly rep: Dim;
  /** Query length. */
  readonly seq: Dim;
  /** Key/value length (≥ seq under a KV cache). */
  readonly kvSeq: Dim;
  readonly headDim: Dim;
}

const attentionOp = defineOp<AttnAttrs>({
  name: 'attention',
  forward: (inputs, a) => {
    const [q, k, v, bias] = inputs as [Tensor, Tensor, Tensor, Tensor | undefined];
    const rows = dimMul(a.rep, a.seq);
    const qg = reshape(q, [a.batch, a.kvHeads, rows, a.headDim]);
    let scores = fusedMatMul(qg, k, { transB: true, alpha: a.scale });
    if (bias) {
      const grouped = reshape(scores, [a.batch, a.kvHeads, a.rep, a.seq, a.kvSeq]);
      scores = reshape(add(grouped, bias), [a.batch, a.kvHeads, rows, a.kvSeq]);
    }
    const p = softmax(scores, -1);
    const og = rawMatMul(p, v);
    return { outputs: reshape(og, q.shape), saved: { qg, p, og } };
  },
  backward: (ctx) => {
    const a = ctx.attrs;
    const [q, k, v] = ctx.inputs as [Tensor, Tensor, Tensor];
    const { qg, p, og } = ctx.saved as { qg: Tensor; p: Tensor; og: Tensor };
    const rows = dimMul(a.rep, a.seq);
    const dog = reshape(ctx.gradOrZeros(0), [a.batch, a.kvHeads, rows, a.headDim]);
    const grads: (Tensor | undefined)[] = ctx.inputs.map(() => undefined);
    if (ctx.needsGrad[0] || ctx.needsGrad[1]) {
      const d = sum(mul(dog, og), -1, true);
      const vExt = concat([v, expandTo(q.graph.scalar(1, q.dtype), [a.batch, a.kvHeads, a.kvSeq, 1])], -1);
      const dPminusD = fusedMatMul(concat([dog, neg(d)], -1), vExt, { transB: true });
      const ds = mul(p, dPminusD);
      if (ctx.needsGrad[0]) grads[0] = reshape(fusedMatMul(ds, k, { alpha: a.scale }), q.shape);
      if (ctx.needsGrad[1]) grads[1] = transposeLast2(fusedMatMul(qg, ds, { transA: true, alpha: a.scale }));
    }
    if (ctx.needsGrad[2]) grads[2] = transposeLast2(fusedMatMul(dog, p, { transA: true }));
    return grads;
  },
});

/**
 * Masks per graph, keyed by padding-mask tensor (or none), causality, sequence dim and dtype, so
 * every layer of a model reuses one bias instead of tracing its own copy.
 */
const biasCache = new WeakMap<object, Map<string, Tensor>>();

/** Additive mask [B|1, 1, 1, S, S] (0 keep, MASKED drop) broadcasting over the grouped scores. */
function maskBias(q: Tensor, seq: Dim, kvSeq: Dim, causal: boolean, keyPaddingMask: Tensor | undefined): Tensor | undefined {
  if (!causal && !keyPaddingMask) return undefined;
  const owner: object = keyPaddingMask ?? q.graph;
  const key = `${causal}|${String(seq)}|${String(kvSeq)}|${q.dtype}`;
  let perOwner = biasCache.get(owner);
  if (!perOwner) biasCache.set(owner, (perOwner = new Map()));
  const hit = perOwner.get(key);
  if (hit) return hit;
  const g = q.graph;
  let bias: Tensor | undefined;
  if (causal) {
    // Queries are the last `seq` of the `kvSeq` positions: query i sits at i + kvSeq − seq.
    const offset = dimSub(kvSeq, seq);
    const rows = dimEq(offset, 0) ? arange(g, seq) : add(arange(g, seq), g.dimTensor(offset));
    const allowed = greaterEqual(unsqueeze(rows, 1), unsqueeze(arange(g, kvSeq), 0));
    bias = reshape(where(allowed, g.scalar(0, q.dtype), g.scalar(MASKED, q.dtype)), [1, 1, 1, seq, kvSeq]);
  }
  if (keyPaddingMask) {
    const m = stopGradient(keyPaddingMask);
    const pad = mul(sub(m, 1), -MASKED);
    const padBias = reshape(pad, [dim(m, 0), 1, 1, 1, kvSeq]);
    bias = bias ? add(bias, padBias) : padBias;
  }
  perOwner.set(key, bias as Tensor);
  return bias;
}

/**
 * Softmax(q·kᵀ·scale + masks)·v for q [B, nH, S, hd] and k, v [B, nKV, S, hd] with nH a multiple
 * of nKV (grouped-query attention); returns [B, nH, S, hd]. k and v may be longer than q
 * ([B, nKV, Sk, hd], keyPaddingMask [B, Sk]): the queries are then the last S positions, as when
 * decoding with a KV cache, and causal masking aligns them to the end.
 */
export function attention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions): Tensor {
  const op = 'attention';
  requireFloat(op, 'q', q);
  requireRank(op, 'q', q, 4, '[B, heads, S, head_dim]');
  requireRank(op, 'k', k, 4, '[B, kv_heads, S, head_dim]');
  requireRank(op, 'v', v, 4, '[B, kv_heads, S, head_dim]');
  requireSameDtype(op, q, { k, v, keyPaddingMask: options.keyPaddingMask });
  const [batch, heads, seq, headDim] = q.shape as [Dim, Dim, Dim, Dim];
  const kvHeads = dim(k, 1);
  const kvSeq = dim(k, 2);
  for (const [role, t] of [['k', k], ['v', v]] as const) {
    requireDim(op, `${role} ${t.describe()} dim 0 (B)`, dim(t, 0), batch, `q's batch dim (${q.describe()})`);
    requireDim(op, `${role} ${t.describe()} dim 1 (kv_heads)`, dim(t, 1), kvHeads, `k's kv_heads (${k.describe()})`);
    requireDim(op, `${role} ${t.describe()} dim 2 (S)`, dim(t, 2), kvSeq, `k's sequence dim (${k.describe()})`);
    requireDim(op, `${role} ${t.describe()} dim 3 (head_dim)`, dim(t, 3), headDim, `q's head_dim (${q.describe()})`);
  }
  const rep = dimDivExact(heads, kvHeads);
  if (rep === undefined || (typeof rep === 'number' && rep < 1)) fail(op, `q's heads (${String(heads)}) must be a multiple of k/v's kv_heads (${String(kvHeads)})`);
  if (!Number.isFinite(options.scale) || options.scale <= 0) fail(op, `scale must be a positive finite number, got ${options.scale}`);
  const m = options.keyPaddingMask;
  if (m) {
    requireRank(op, 'keyPaddingMask', m, 2, '[B, S], 1 keep / 0 pad');
    requireDim(op, `keyPaddingMask ${m.describe()} dim 0 (B)`, dim(m, 0), batch, `q's batch dim (${q.describe()})`);
    requireDim(op, `keyPaddingMask ${m.describe()} dim 1 (S)`, dim(m, 1), kvSeq, `k's sequence dim (${k.describe()})`);
  }
  if (dimEq(seq, 0) || dimEq(kvSeq, 0)) fail(op, `sequence length of q ${q.describe()} or k ${k.describe()} is 0`);
  const extra = dimSub(kvSeq, seq);
  if (options.causal && typeof extra === 'number' && extra < 0) fail(op, `causal attention needs k's length (${String(kvSeq)}) >= q's (${String(seq)}): queries are the last positions`);
  const bias = maskBias(q, seq, kvSeq, options.causal, m);
  const attrs: AttnAttrs = { scale: options.scale, batch, kvHeads, rep, seq, kvSeq, headDim };
  return attentionOp(bias ? [q, k, v, bias] : [q, k, v], attrs)[0] as Tensor;
}
