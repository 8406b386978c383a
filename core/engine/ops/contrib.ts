/**
 * Shape rules for raw ONNX / com.microsoft ops that hand-written primitives emit through
 * graph.node: Gemm, FusedMatMul, SimplifiedLayerNormalization (with inv_std), LayerNormalization,
 * Split. They carry no generic backward: use them inside defineOp, whose backward is explicit.
 */
import { registerOp } from '../op-registry.js';
import { attrInts, attrNum } from '../attributes.js';
import type { Dim } from '../shape.js';
import { dimEq, formatShape, normAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { broadcastAll, constInts, need, sameDtypes } from './rules-common.js';

function matDims(t: Tensor, trans: boolean): [Dim, Dim] {
  const r = t.shape.length;
  const a = t.shape[r - 2] as Dim;
  const b = t.shape[r - 1] as Dim;
  return trans ? [b, a] : [a, b];
}

registerOp('Gemm', {
  infer: (inputs, attrs) => {
    const a = need(inputs, 0);
    const b = need(inputs, 1);
    const dtype = sameDtypes([a, b]);
    if (a.rank !== 2 || b.rank !== 2) throw new Error('A and B must be 2-D');
    const [m, k1] = matDims(a, attrNum(attrs, 'transA', 0) === 1);
    const [k2, n] = matDims(b, attrNum(attrs, 'transB', 0) === 1);
    if (!dimEq(k1, k2)) throw new Error(`inner dimensions differ: ${String(k1)} vs ${String(k2)}`);
    const c = inputs[2];
    if (c) broadcastAll([c.shape, [m, n]]);
    return [{ dtype, shape: [m, n] }];
  },
});

registerOp(
  'FusedMatMul',
  {
    infer: (inputs, attrs) => {
      const a = need(inputs, 0);
      const b = need(inputs, 1);
      const dtype = sameDtypes([a, b]);
      if (a.rank < 2 || b.rank < 2) throw new Error('operands must have rank >= 2');
      const [m, k1] = matDims(a, attrNum(attrs, 'transA', 0) === 1);
      const [k2, n] = matDims(b, attrNum(attrs, 'transB', 0) === 1);
      if (!dimEq(k1, k2)) throw new Error(`inner dimensions differ: ${String(k1)} vs ${String(k2)}`);
      return [{ dtype, shape: [...broadcastAll([a.shape.slice(0, -2), b.shape.slice(0, -2)]), m, n] }];
    },
  },
  'com.microsoft',
);

/** ONNX `stash_type` (a TensorProto element type) → the dtype of the saved statistics. */
function stashDtype(stashType: number): Tensor['dtype'] {
  if (stashType === 1) return 'float32';
  if (stashType === 11) return 'float64';
  throw new Error(`stash_type ${stashType} is not supported (use 1 for float32 or 11 for float64)`);
}

function normOutputs(inputs: readonly (Tensor | undefined)[], axisAttr: number, stashType: number, numOutputs: number, withMean: boolean): { dtype: Tensor['dtype']; shape: Dim[] }[] {
  const x = need(inputs, 0);
  const axis = normAxis(axisAttr, x.rank, 'normalization');
  const stat: Dim[] = x.shape.map((d, i) => (i < axis ? d : 1));
  // The statistics are kept in stash_type (float32 by default), whatever the input dtype:
  // onnxruntime refuses a float64 graph that declares them float64.
  const statDtype = stashDtype(stashType);
  const specs = [{ dtype: x.dtype, shape: [...x.shape] }];
  // SimplifiedLayerNormalization: [Y, inv_std_var]; LayerNormalization: [Y, Mean, InvStdDev].
  if (withMean && numOutputs > 1) specs.push({ dtype: statDtype, shape: stat });
  if (numOutputs > specs.length) specs.push({ dtype: statDtype, shape: stat });
  return specs.slice(0, numOutputs);
}

registerOp('SimplifiedLayerNormalization', {
  infer: (inputs, attrs, n) => normOutputs(inputs, attrNum(attrs, 'axis', -1), attrNum(attrs, 'stash_type', 1), n, false),
});
registerOp('LayerNormalization', {
  infer: (inputs, attrs, n) => normOutputs(inputs, attrNum(attrs, 'axis', -1), attrNum(attrs, 'stash_type', 1), n, true),
});

registerOp('Split', {
  infer: (inputs, attrs, n) => {
    const x = need(inputs, 0);
    const axis = normAxis(attrNum(attrs, 'axis', 0), x.rank, 'split');
    const dim = x.shape[axis];
    const sizes = constInts(inputs[1]) ?? attrInts(attrs, 'split');
    const count = sizes?.length ?? attrNum(attrs, 'num_outputs', n);
    let parts: number[];
    if (sizes) parts = [...sizes];
    else {
      if (typeof dim !== 'number' || dim % count !== 0) throw new Error(`cannot split axis ${axis} of ${formatShape(x.shape)} into ${count} equal parts`);
      parts = new Array<number>(count).fill(dim / count);
    }
    return parts.map((p) => {
      const shape = [...x.shape];
      shape[axis] = p;
      return { dtype: x.dtype, shape };
    });
  },
});

/** com.microsoft MatMulNBits: A [..., K] · dequant(B)ᵀ with B the block-quantized [N, K] weight → [..., N]. */
registerOp(
  'MatMulNBits',
  {
    infer: (inputs, attrs) => {
      const a = need(inputs, 0);
      if (a.dtype !== 'float32') throw new Error(`A must be float32, got ${a.dtype}`);
      const k = attrNum(attrs, 'K', 0);
      const n = attrNum(attrs, 'N', 0);
      if (!dimEq(a.shape[a.rank - 1] as Dim, k)) throw new Error(`A's last dim ${String(a.shape[a.rank - 1])} is not K = ${k}`);
      return [{ dtype: 'float32', shape: [...a.shape.slice(0, -1), n] }];
    },
  },
  'com.microsoft',
);

/**
 * com.microsoft RotaryEmbedding (rotate_half layout, interleaved 0): x [B, N, S, hd], or
 * [B, S, N·hd] with the num_heads attribute, rotated by cos/sin caches [P, hd/2] at int64
 * position_ids [B, S] → the shape of x.
 */
registerOp(
  'RotaryEmbedding',
  {
    infer: (inputs) => {
      const x = need(inputs, 0);
      if (x.dtype !== 'float32') throw new Error(`x must be float32, got ${x.dtype}`);
      if (x.rank !== 3 && x.rank !== 4) throw new Error(`x must be [B, S, N·head_dim] or [B, N, S, head_dim], got ${formatShape(x.shape)}`);
      return [{ dtype: x.dtype, shape: [...x.shape] }];
    },
  },
  'com.microsoft',
);
