import type { DType } from '../dtype.js';
import type { Graph } from '../graph.js';
import type { Tensor } from '../tensor.js';
import type { Attrs } from '../attributes.js';
import type { NodeOptions } from '../graph.js';

/** A tensor operand, or a JS number lifted to a scalar constant of the other operand's dtype. */
export type Operand = Tensor | number;

export function graphOf(op: string, ...xs: Operand[]): Graph {
  for (const x of xs) if (typeof x !== 'number') return x.graph;
  throw new Error(`engine: ${op}: at least one operand must be a Tensor`);
}

export function lift(x: Operand, g: Graph, dtype: DType): Tensor {
  return typeof x === 'number' ? g.scalar(x, dtype) : x;
}

export function dtypeOf(op: string, ...xs: Operand[]): DType {
  for (const x of xs) if (typeof x !== 'number') return x.dtype;
  throw new Error(`engine: ${op}: at least one operand must be a Tensor`);
}

/** Emits a single-output node. */
export function emit(g: Graph, opType: string, inputs: readonly (Tensor | undefined)[], attrs?: Attrs, opts?: NodeOptions): Tensor {
  return g.node(opType, inputs, attrs, opts)[0] as Tensor;
}

export function requireRank(op: string, x: Tensor, min: number): void {
  if (x.rank < min) throw new Error(`engine: ${op}: operand ${x.describe()} must have rank >= ${min}`);
}
