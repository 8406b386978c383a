/** Helpers backward rules share: undoing broadcasting and making zeros. */
import type { DType } from '../dtype.js';
import type { Graph } from '../graph.js';
import type { Shape } from '../shape.js';
import { dimEq, shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { emit } from './util.js';

/** Sums a broadcast gradient back to an operand's shape. */
export function sumToShape(grad: Tensor, shape: Shape): Tensor {
  if (shapesEqual(grad.shape, shape)) return grad;
  const g = grad.graph;
  const lead = grad.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < grad.rank; i++) {
    if (i < lead) axes.push(i);
    else if (shape[i - lead] === 1 && !dimEq(grad.shape[i] as string | number, 1)) axes.push(i);
  }
  let r = grad;
  if (axes.length > 0) r = emit(g, 'ReduceSum', [grad, g.constant(axes, 'int64', [axes.length])], { keepdims: 1 });
  if (lead > 0) {
    const lx = axes.slice(0, lead);
    r = emit(g, 'Squeeze', [r, g.constant(lx, 'int64', [lx.length])]);
  }
  return r;
}

/** Zeros of a (possibly symbolic) shape. */
export function zeros(g: Graph, shape: Shape, dtype: DType): Tensor {
  if (shape.length === 0) return g.scalar(0, dtype);
  return emit(g, 'Expand', [g.scalar(0, dtype), g.shapeTensor(shape)], undefined, { outputs: [{ dtype, shape }] });
}

export function zerosLike(t: Tensor): Tensor {
  return zeros(t.graph, t.shape, t.dtype);
}
