/** Layout ops: reshape, transpose, concat, slice, expand, squeeze/unsqueeze, with gradients. */
import { registerOp } from '../op-registry.js';
import { attrInts, attrNum } from '../attributes.js';
import type { Dim, Shape } from '../shape.js';
import { dimAdd, dimDivExact, dimEq, dimSub, formatShape, normAxis, normalizeDim, shapeProduct, shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { broadcastAll, constInts, need, needInts, sameDtypes } from './rules-common.js';
import { emit } from './util.js';
import { sumToShape } from './grad-util.js';

/** Symbolic start bounds of slices built by ops.slice, for the backward rule. */
const symbolicBounds = new WeakMap<Tensor, Dim[]>();

/** Reshape to `shape`; one entry may be -1 (inferred). Symbolic dims are computed at run time. */
export function reshape(x: Tensor, shape: readonly Dim[]): Tensor {
  const total = shapeProduct(x.shape);
  const holes = shape.filter((d) => d === -1).length;
  if (holes > 1) throw new Error(`engine: reshape: at most one -1 allowed in ${formatShape(shape)}`);
  let target = shape.map((d) => (d === -1 ? d : normalizeDim(d)));
  if (holes === 1) {
    const known = shapeProduct(target.filter((d) => d !== -1));
    const rest = dimDivExact(total, known);
    if (rest === undefined) throw new Error(`engine: reshape: cannot infer -1 in ${formatShape(shape)} for ${x.describe()}: ${String(total)} elements are not a known multiple of ${String(known)}`);
    target = target.map((d) => (d === -1 ? rest : d));
  } else if (!dimEq(total, shapeProduct(target))) {
    throw new Error(`engine: reshape: ${x.describe()} has ${String(total)} elements but ${formatShape(target)} holds ${String(shapeProduct(target))}`);
  }
  if (shapesEqual(target, x.shape)) return x;
  return emit(x.graph, 'Reshape', [x, x.graph.shapeTensor(target)], undefined, { outputs: [{ dtype: x.dtype, shape: target }] });
}

/** Permutes axes; by default reverses them. */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ?? x.shape.map((_, i) => x.rank - 1 - i);
  return emit(x.graph, 'Transpose', [x], { perm: [...p] });
}

/** Swaps the last two axes. */
export function transposeLast2(x: Tensor): Tensor {
  if (x.rank < 2) throw new Error(`engine: transposeLast2: ${x.describe()} needs rank >= 2`);
  const p = x.shape.map((_, i) => i);
  p[x.rank - 2] = x.rank - 1;
  p[x.rank - 1] = x.rank - 2;
  return transpose(x, p);
}

export function concat(xs: readonly Tensor[], axis: number): Tensor {
  const first = xs[0];
  if (!first) throw new Error('engine: concat: needs at least one tensor');
  if (xs.length === 1) return first;
  return emit(first.graph, 'Concat', xs, { axis: normAxis(axis, first.rank, 'concat') });
}

export interface SliceSpec {
  readonly axis: number;
  /** Inclusive start; negative numbers count from the end. Default 0. */
  readonly start?: Dim;
  /** Exclusive end; negative numbers count from the end. Default: the axis length. */
  readonly end?: Dim;
}

/** Contiguous slices (step 1) along one or more axes; bounds may be symbolic ('seq-1'). */
export function slice(x: Tensor, specs: SliceSpec | readonly SliceSpec[]): Tensor {
  const list = Array.isArray(specs) ? (specs as readonly SliceSpec[]) : [specs as SliceSpec];
  const out: Dim[] = [...x.shape];
  const axes: number[] = [];
  const starts: Dim[] = [];
  const ends: Dim[] = [];
  for (const s of list) {
    const axis = normAxis(s.axis, x.rank, 'slice');
    const dim = x.shape[axis] as Dim;
    const fix = (v: Dim | undefined, dflt: Dim): Dim => (v === undefined ? dflt : typeof v === 'number' && v < 0 ? dimAdd(dim, v) : normalizeDim(v));
    const start = fix(s.start, 0);
    const end = fix(s.end, dim);
    const len = dimSub(end, start);
    if (typeof len === 'number' && len < 0) throw new Error(`engine: slice: axis ${axis} of ${x.describe()}: end ${String(end)} is before start ${String(start)}`);
    if (typeof start === 'number' && typeof dim === 'number' && (start > dim || (typeof end === 'number' && end > dim))) {
      throw new Error(`engine: slice: axis ${axis} of ${x.describe()}: range [${start}, ${String(end)}) exceeds length ${dim}`);
    }
    out[axis] = len;
    axes.push(axis);
    starts.push(start);
    ends.push(end);
  }
  const g = x.graph;
  const startTensor = g.shapeTensor(starts);
  symbolicBounds.set(startTensor, starts);
  return emit(g, 'Slice', [x, startTensor, g.shapeTensor(ends), g.constant(axes, 'int64', [axes.length])], undefined, {
    outputs: [{ dtype: x.dtype, shape: out }],
  });
}

/** Broadcasts x to `shape` (numpy rules). */
export function expandTo(x: Tensor, shape: Shape): Tensor {
  if (shapesEqual(x.shape, shape)) return x;
  const out = broadcastAll([x.shape, shape]);
  return emit(x.graph, 'Expand', [x, x.graph.shapeTensor(shape)], undefined, { outputs: [{ dtype: x.dtype, shape: out }] });
}

export function unsqueeze(x: Tensor, axes: number | readonly number[]): Tensor {
  const list = typeof axes === 'number' ? [axes] : [...axes];
  return emit(x.graph, 'Unsqueeze', [x, x.graph.constant(list, 'int64', [list.length])]);
}

export function squeeze(x: Tensor, axes: number | readonly number[]): Tensor {
  const list = typeof axes === 'number' ? [axes] : [...axes];
  return emit(x.graph, 'Squeeze', [x, x.graph.constant(list, 'int64', [list.length])]);
}

// ---- rules -------------------------------------------------------------------------------

registerOp('Reshape', {
  infer: (inputs) => {
    const x = need(inputs, 0);
    const target = needInts(inputs, 1, 'shape');
    const shape: Dim[] = target.map((d, i) => (d === 0 && i < x.rank ? (x.shape[i] as Dim) : d));
    if (shape.includes(-1)) {
      const rest = dimDivExact(shapeProduct(x.shape), shapeProduct(shape.filter((d) => d !== -1)));
      if (rest === undefined) fail(`cannot infer -1 in ${formatShape(target)}`);
      return [{ dtype: x.dtype, shape: shape.map((d) => (d === -1 ? rest : d)) }];
    }
    return [{ dtype: x.dtype, shape }];
  },
  vjp: (c) => [reshape(c.gradOrZeros(0), need(c.inputs, 0).shape)],
});

function fail(msg: string): never {
  throw new Error(msg);
}

registerOp('Transpose', {
  infer: (inputs, attrs) => {
    const x = need(inputs, 0);
    const perm = attrInts(attrs, 'perm') ?? x.shape.map((_, i) => x.rank - 1 - i);
    if (perm.length !== x.rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) throw new Error(`perm [${perm.join(', ')}] is not a permutation of ${x.rank} axes`);
    return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p] as Dim) }];
  },
  vjp: (c) => {
    const x = need(c.inputs, 0);
    const perm = attrInts(c.attrs, 'perm') ?? x.shape.map((_, i) => x.rank - 1 - i);
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [transpose(c.gradOrZeros(0), inv)];
  },
});

registerOp('Concat', {
  infer: (inputs, attrs) => {
    const xs = inputs.map((_, i) => need(inputs, i));
    const dtype = sameDtypes(xs);
    const first = xs[0] as Tensor;
    const axis = normAxis(attrNum(attrs, 'axis', 0), first.rank, 'concat');
    let len: Dim = 0;
    for (const t of xs) {
      if (t.rank !== first.rank || t.shape.some((d, i) => i !== axis && !dimEq(d, first.shape[i] as Dim))) {
        throw new Error(`shapes must match except on axis ${axis}: ${xs.map((u) => formatShape(u.shape)).join(', ')}`);
      }
      len = dimAdd(len, t.shape[axis] as Dim);
    }
    const shape = [...first.shape];
    shape[axis] = len;
    return [{ dtype, shape }];
  },
  vjp: (c) => {
    const first = need(c.inputs, 0);
    const axis = normAxis(attrNum(c.attrs, 'axis', 0), first.rank, 'concat');
    const g = c.gradOrZeros(0);
    let offset: Dim = 0;
    return c.inputs.map((t, i) => {
      const x = t as Tensor;
      const start = offset;
      offset = dimAdd(offset, x.shape[axis] as Dim);
      return c.needsGrad[i] ? slice(g, { axis, start, end: offset }) : undefined;
    });
  },
});

registerOp('Slice', {
  infer: (inputs) => {
    const x = need(inputs, 0);
    const starts = needInts(inputs, 1, 'starts');
    const ends = needInts(inputs, 2, 'ends');
    const axes = constInts(inputs[3]) ?? starts.map((_, i) => i);
    if (inputs[4] && (constInts(inputs[4]) ?? []).some((s) => s !== 1)) throw new Error('only step 1 is supported');
    const shape = [...x.shape];
    axes.forEach((a, i) => {
      const axis = normAxis(a, x.rank, 'slice');
      const dim = x.shape[axis];
      if (typeof dim !== 'number') throw new Error(`axis ${axis} is symbolic; use ops.slice, which knows the output shape`);
      const clampTo = (v: number): number => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
      shape[axis] = Math.max(0, clampTo(ends[i] as number) - clampTo(starts[i] as number));
    });
    return [{ dtype: x.dtype, shape }];
  },
  vjp: (c) => {
    const x = need(c.inputs, 0);
    const out = c.outputs[0] as Tensor;
    const g = x.graph;
    const axes = needInts(c.inputs, 3, 'axes').map((a) => normAxis(a, x.rank, 'slice'));
    const starts = sliceBounds(c.inputs[1] as Tensor);
    // Pad the gradient back with zeros: before = start, after = dim - start - len (symbolic-safe).
    // Full-rank pads without the opset-18 `axes` input: ORT's transpose optimizer permutes pads
    // as if they were full rank and corrupts them when `axes` is given.
    const before: Dim[] = x.shape.map(() => 0);
    const after: Dim[] = x.shape.map(() => 0);
    axes.forEach((a, i) => {
      before[a] = starts[i] as Dim;
      after[a] = dimSub(dimSub(x.shape[a] as Dim, starts[i] as Dim), out.shape[a] as Dim);
    });
    const pads = g.shapeTensor([...before, ...after]);
    const grad = emit(g, 'Pad', [c.gradOrZeros(0), pads, g.scalar(0, x.dtype)], undefined, {
      outputs: [{ dtype: x.dtype, shape: x.shape }],
    });
    return [grad];
  },
});

/** Start bounds of a slice: constant values, or the symbolic dims recorded when ops.slice built them. */
function sliceBounds(t: Tensor): Dim[] {
  const v = constInts(t);
  if (v) return v;
  const dims = symbolicBounds.get(t);
  if (!dims) throw new Error(`engine: slice backward: start bounds '${t.name}' are neither constant nor built by ops.slice`);
  return dims;
}


registerOp('Expand', {
  infer: (inputs) => {
    const x = need(inputs, 0);
    return [{ dtype: x.dtype, shape: broadcastAll([x.shape, needInts(inputs, 1, 'shape')]) }];
  },
  vjp: (c) => [sumToShape(c.gradOrZeros(0), need(c.inputs, 0).shape)],
});

registerOp('Unsqueeze', {
  infer: (inputs) => {
    const x = need(inputs, 0);
    const rank = x.rank + needInts(inputs, 1, 'axes').length;
    const axes = needInts(inputs, 1, 'axes').map((a) => normAxis(a, rank, 'unsqueeze'));
    const shape: Dim[] = [];
    let j = 0;
    for (let i = 0; i < rank; i++) shape.push(axes.includes(i) ? 1 : (x.shape[j++] as Dim));
    return [{ dtype: x.dtype, shape }];
  },
  vjp: (c) => [reshape(c.gradOrZeros(0), need(c.inputs, 0).shape)],
});

registerOp('Squeeze', {
  infer: (inputs) => {
    const x = need(inputs, 0);
    const axes = needInts(inputs, 1, 'axes').map((a) => normAxis(a, x.rank, 'squeeze'));
    for (const a of axes) if (x.shape[a] !== 1) throw new Error(`axis ${a} has length ${String(x.shape[a])}, not 1`);
    return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !axes.includes(i)) }];
  },
  vjp: (c) => [reshape(c.gradOrZeros(0), need(c.inputs, 0).shape)],
});

registerOp('Shape', {
  infer: (inputs, attrs) => {
    const x = need(inputs, 0);
    const start = attrNum(attrs, 'start', 0);
    const end = attrNum(attrs, 'end', x.rank);
    const s = start < 0 ? start + x.rank : start;
    const e = end < 0 ? end + x.rank : Math.min(end, x.rank);
    return [{ dtype: 'int64', shape: [Math.max(0, e - s)] }];
  },
});
