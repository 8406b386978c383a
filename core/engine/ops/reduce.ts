/** Reductions over axes (sum, mean, max, logsumexp) and softmax / logSoftmax, with gradients. */
import { isFloat } from '../dtype.js';
import { registerOp } from '../op-registry.js';
import type { ShapeRule, VjpContext } from '../op-registry.js';
import { attrNum } from '../attributes.js';
import type { Dim } from '../shape.js';
import { normAxis, shapeProduct } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { need, needInts, sameAsInput } from './rules-common.js';
import { emit } from './util.js';
import { cast, div, equal, exp, mul, sub } from './elementwise.js';
import { expandTo, unsqueeze } from './shape-ops.js';

function axesFor(op: string, x: Tensor, axes: number | readonly number[] | undefined): number[] {
  const list = axes === undefined ? x.shape.map((_, i) => i) : typeof axes === 'number' ? [axes] : [...axes];
  const norm = list.map((a) => normAxis(a, x.rank, op));
  if (new Set(norm).size !== norm.length) throw new Error(`engine: ${op}: repeated axis in [${list.join(', ')}] for ${x.describe()}`);
  return norm.sort((a, b) => a - b);
}

function reduce(opType: string, x: Tensor, axes: number | readonly number[] | undefined, keepdims: boolean): Tensor {
  const ax = axesFor(opType, x, axes);
  if (ax.length === 0) return x;
  const g = x.graph;
  return emit(g, opType, [x, g.constant(ax, 'int64', [ax.length])], { keepdims: keepdims ? 1 : 0 });
}

/** Sum over axes (all axes when omitted). */
export const sum = (x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor => reduce('ReduceSum', x, axes, keepdims);
export const mean = (x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor => reduce('ReduceMean', x, axes, keepdims);
export const max = (x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor => reduce('ReduceMax', x, axes, keepdims);
export const logsumexp = (x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor => reduce('ReduceLogSumExp', x, axes, keepdims);

export function softmax(x: Tensor, axis = -1): Tensor {
  return emit(x.graph, 'Softmax', [x], { axis: normAxis(axis, x.rank, 'softmax') });
}
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return emit(x.graph, 'LogSoftmax', [x], { axis: normAxis(axis, x.rank, 'logSoftmax') });
}

// ---- rules -------------------------------------------------------------------------------

const reduceRule: ShapeRule = (inputs, attrs) => {
  const x = need(inputs, 0);
  const axes = inputs[1] ? needInts(inputs, 1, 'axes').map((a) => normAxis(a, x.rank, 'reduce')) : x.shape.map((_, i) => i);
  const keep = attrNum(attrs, 'keepdims', 1) === 1;
  const shape: Dim[] = [];
  x.shape.forEach((d, i) => {
    if (!axes.includes(i)) shape.push(d);
    else if (keep) shape.push(1);
  });
  return [{ dtype: x.dtype, shape }];
};

interface ReduceInfo {
  x: Tensor;
  axes: number[];
  /** Upstream gradient with the reduced axes kept as size 1. */
  gradKept: Tensor;
  /** Output with the reduced axes kept as size 1. */
  outKept: Tensor;
}

function reduceInfo(c: VjpContext): ReduceInfo {
  const x = need(c.inputs, 0);
  const axes = c.inputs[1] ? needInts(c.inputs, 1, 'axes').map((a) => normAxis(a, x.rank, 'reduce')) : x.shape.map((_, i) => i);
  const keep = attrNum(c.attrs, 'keepdims', 1) === 1;
  const g = c.gradOrZeros(0);
  const out = c.outputs[0] as Tensor;
  return { x, axes, gradKept: keep ? g : unsqueeze(g, axes), outKept: keep ? out : unsqueeze(out, axes) };
}

registerOp('ReduceSum', {
  infer: reduceRule,
  vjp: (c) => {
    const r = reduceInfo(c);
    return [expandTo(r.gradKept, r.x.shape)];
  },
});
registerOp('ReduceMean', {
  infer: reduceRule,
  vjp: (c) => {
    const r = reduceInfo(c);
    const count = shapeProduct(r.axes.map((a) => r.x.shape[a] as Dim));
    const g = r.x.graph;
    const n = typeof count === 'number' ? g.scalar(count, r.x.dtype) : cast(g.dimTensor(count), r.x.dtype);
    return [expandTo(div(r.gradKept, n), r.x.shape)];
  },
});
registerOp('ReduceMax', {
  infer: reduceRule,
  vjp: (c) => {
    const r = reduceInfo(c);
    // Ties share the gradient equally, so the rule stays a valid subgradient.
    const hit = cast(equal(r.x, r.outKept), r.x.dtype);
    const count = sum(hit, r.axes, true);
    return [mul(hit, div(r.gradKept, count))];
  },
});
registerOp('ReduceLogSumExp', {
  infer: reduceRule,
  vjp: (c) => {
    const r = reduceInfo(c);
    return [mul(r.gradKept, exp(sub(r.x, r.outKept)))];
  },
});

const softmaxRule: ShapeRule = (inputs, attrs, n) => {
  const x = need(inputs, 0);
  if (!isFloat(x.dtype)) throw new Error(`needs a float operand, got ${x.dtype}`);
  normAxis(attrNum(attrs, 'axis', -1), x.rank, 'softmax');
  return sameAsInput(0)(inputs, attrs, n);
};

registerOp('Softmax', {
  infer: softmaxRule,
  vjp: (c) => {
    const y = c.outputs[0] as Tensor;
    const axis = attrNum(c.attrs, 'axis', -1);
    const g = c.gradOrZeros(0);
    const gy = mul(g, y);
    return [sub(gy, mul(y, sum(gy, axis, true)))];
  },
});
registerOp('LogSoftmax', {
  infer: softmaxRule,
  vjp: (c) => {
    const y = c.outputs[0] as Tensor;
    const axis = attrNum(c.attrs, 'axis', -1);
    const g = c.gradOrZeros(0);
    return [sub(g, mul(exp(y), sum(g, axis, true)))];
  },
});
