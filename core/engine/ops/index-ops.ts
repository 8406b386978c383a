/** Indexing ops: gather rows, take-along-axis, per-row picks, cumulative sums, ranges. */
import { registerOp } from '../op-registry.js';
import { attrNum } from '../attributes.js';
import type { Dim } from '../shape.js';
import { dimEq, formatShape, normAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { need, needInts } from './rules-common.js';
import { emit } from './util.js';
import { zeros } from './grad-util.js';
import { cast } from './elementwise.js';
import { expandTo, reshape, squeeze, transpose, unsqueeze } from './shape-ops.js';

function checkIndex(op: string, idx: Tensor): void {
  if (idx.dtype !== 'int64' && idx.dtype !== 'int32') throw new Error(`engine: ${op}: indices ${idx.describe()} must be int64 or int32`);
}

/**
 * Gathers slices of x along `axis` at `indices` (embedding lookup for axis 0):
 * result shape x[:axis] + indices.shape + x[axis+1:].
 */
export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  checkIndex('gather', indices);
  const ax = normAxis(axis, x.rank, 'gather');
  if (ax === 0) return emit(x.graph, 'Gather', [x, indices], { axis: 0 });
  // The backward rule scatters along axis 0 only; move the axis to the front and back.
  const front = [ax, ...x.shape.map((_, i) => i).filter((i) => i !== ax)];
  const y = emit(x.graph, 'Gather', [transpose(x, front), indices], { axis: 0 });
  const q = indices.rank;
  const perm: number[] = [];
  for (let i = 0; i < ax; i++) perm.push(q + i);
  for (let i = 0; i < q; i++) perm.push(i);
  for (let i = q + ax; i < y.rank; i++) perm.push(i);
  return transpose(y, perm);
}

/** numpy take_along_axis: indices have x's rank; picks x[..., indices[...], ...] along `axis`. */
export function takeAlongAxis(x: Tensor, indices: Tensor, axis: number): Tensor {
  checkIndex('takeAlongAxis', indices);
  return emit(x.graph, 'GatherElements', [x, indices], { axis: normAxis(axis, x.rank, 'takeAlongAxis') });
}

/** For x [B, S, ...] and rowIndex [B], returns x[b, rowIndex[b], ...] -> [B, ...] (e.g. last prompt token). */
export function gatherRows(x: Tensor, rowIndex: Tensor): Tensor {
  checkIndex('gatherRows', rowIndex);
  if (x.rank < 2 || rowIndex.rank !== 1 || !dimEq(x.shape[0] as Dim, rowIndex.shape[0] as Dim)) {
    throw new Error(`engine: gatherRows: expected x [B, S, ...] and rowIndex [B], got ${x.describe()} and ${rowIndex.describe()}`);
  }
  const ones = x.shape.slice(1).map(() => 1);
  const idx = reshape(rowIndex, [x.shape[0] as Dim, ...ones]);
  const target = [x.shape[0] as Dim, 1, ...x.shape.slice(2)];
  return squeeze(takeAlongAxis(x, expandTo(idx, target), 1), 1);
}

export interface CumsumOptions {
  readonly exclusive?: boolean;
  readonly reverse?: boolean;
}

export function cumsum(x: Tensor, axis: number, opts: CumsumOptions = {}): Tensor {
  const ax = normAxis(axis, x.rank, 'cumsum');
  return emit(x.graph, 'CumSum', [x, x.graph.constant([ax], 'int64', [1])], { exclusive: opts.exclusive ? 1 : 0, reverse: opts.reverse ? 1 : 0 });
}

/** 0, 1, ..., n-1 as a 1-D tensor; n may be symbolic ('seq'). */
export function arange(g: Tensor['graph'], n: Dim, dtype: 'int64' | 'float32' | 'float64' = 'int64'): Tensor {
  const limit = squeeze(g.dimTensor(n), 0);
  const r = emit(g, 'Range', [g.scalar(0, 'int64'), limit, g.scalar(1, 'int64')], undefined, { outputs: [{ dtype: 'int64', shape: [n] }] });
  return cast(r, dtype);
}

export function argmax(x: Tensor, axis = -1, keepdims = false): Tensor {
  return emit(x.graph, 'ArgMax', [x], { axis: normAxis(axis, x.rank, 'argmax'), keepdims: keepdims ? 1 : 0 });
}

// ---- rules -------------------------------------------------------------------------------

registerOp('Gather', {
  infer: (inputs, attrs) => {
    const x = need(inputs, 0);
    const idx = need(inputs, 1);
    const axis = normAxis(attrNum(attrs, 'axis', 0), x.rank, 'gather');
    return [{ dtype: x.dtype, shape: [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)] }];
  },
  vjp: (c) => {
    const x = need(c.inputs, 0);
    if (attrNum(c.attrs, 'axis', 0) !== 0) throw new Error('engine: Gather backward supports axis 0 only (ops.gather moves other axes to the front)');
    const idx = need(c.inputs, 1);
    const g = x.graph;
    const idx64 = cast(idx, 'int64');
    const grad = emit(g, 'ScatterND', [zeros(g, x.shape, x.dtype), unsqueeze(idx64, -1), c.gradOrZeros(0)], { reduction: 'add' }, {
      outputs: [{ dtype: x.dtype, shape: x.shape }],
    });
    return [grad, undefined];
  },
});

registerOp('GatherElements', {
  infer: (inputs, attrs) => {
    const x = need(inputs, 0);
    const idx = need(inputs, 1);
    const axis = normAxis(attrNum(attrs, 'axis', 0), x.rank, 'takeAlongAxis');
    if (idx.rank !== x.rank) throw new Error(`indices must have the data's rank ${x.rank}, got ${formatShape(idx.shape)}`);
    idx.shape.forEach((d, i) => {
      if (i !== axis && !dimEq(d, x.shape[i] as Dim)) throw new Error(`indices dim ${i} is ${String(d)} but data has ${String(x.shape[i])}`);
    });
    return [{ dtype: x.dtype, shape: idx.shape }];
  },
  vjp: (c) => {
    const x = need(c.inputs, 0);
    const g = x.graph;
    const axis = attrNum(c.attrs, 'axis', 0);
    const grad = emit(g, 'ScatterElements', [zeros(g, x.shape, x.dtype), need(c.inputs, 1), c.gradOrZeros(0)], { axis, reduction: 'add' }, {
      outputs: [{ dtype: x.dtype, shape: x.shape }],
    });
    return [grad, undefined];
  },
});

registerOp('CumSum', {
  infer: (inputs) => {
    const x = need(inputs, 0);
    needInts(inputs, 1, 'axis');
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  vjp: (c) => {
    const axis = needInts(c.inputs, 1, 'axis')[0] as number;
    return [cumsum(c.gradOrZeros(0), axis, { exclusive: attrNum(c.attrs, 'exclusive', 0) === 1, reverse: attrNum(c.attrs, 'reverse', 0) !== 1 }), undefined];
  },
});

registerOp('ArgMax', {
  infer: (inputs, attrs) => {
    const x = need(inputs, 0);
    const axis = normAxis(attrNum(attrs, 'axis', 0), x.rank, 'argmax');
    const keep = attrNum(attrs, 'keepdims', 1) === 1;
    return [{ dtype: 'int64', shape: x.shape.flatMap((d, i) => (i === axis ? (keep ? [1] : []) : [d])) }];
  },
});
