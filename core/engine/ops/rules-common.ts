import type { DType } from '../dtype.js';
import { isFloat } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import type { ShapeRule, ValueSpec } from '../op-registry.js';
import { broadcastShapes, formatShape } from '../shape.js';
import type { Shape } from '../shape.js';

export function need(inputs: readonly (Tensor | undefined)[], i: number): Tensor {
  const t = inputs[i];
  if (!t) throw new Error(`input #${i} is required`);
  return t;
}

export function sameDtypes(inputs: readonly (Tensor | undefined)[]): DType {
  const present = inputs.filter((t): t is Tensor => t !== undefined);
  const d = present[0]?.dtype;
  if (d === undefined) throw new Error('no operands');
  for (const t of present) if (t.dtype !== d) throw new Error(`dtype mismatch (${present.map((x) => x.dtype).join(' vs ')})`);
  return d;
}

export function broadcastAll(shapes: readonly Shape[]): Shape {
  let out: Shape = [];
  for (const s of shapes) {
    const r = broadcastShapes(out, s);
    if (typeof r === 'string') throw new Error(`shapes ${shapes.map(formatShape).join(', ')} do not broadcast: ${r}`);
    out = r;
  }
  return out;
}

/** Elementwise op over broadcast operands of one dtype; output dtype given or the operands'. */
export function elementwiseRule(outDtype?: DType, floatOnly = false): ShapeRule {
  return (inputs) => {
    const d = sameDtypes(inputs);
    if (floatOnly && !isFloat(d)) throw new Error(`needs float operands, got ${d}`);
    return [{ dtype: outDtype ?? d, shape: broadcastAll(inputs.filter((t): t is Tensor => t !== undefined).map((t) => t.shape)) }];
  };
}

export function sameAsInput(i = 0): ShapeRule {
  return (inputs): ValueSpec[] => {
    const t = need(inputs, i);
    return [{ dtype: t.dtype, shape: t.shape }];
  };
}

/** Values of an int64 constant input (axes, perm, shapes given as constants), or undefined. */
export function constInts(t: Tensor | undefined): number[] | undefined {
  if (!t || t.kind !== 'initializer') return undefined;
  const rec = t.graph.initializers.get(t.name);
  if (!rec || !('data' in rec.source)) return undefined;
  const d = rec.source.data;
  if (d instanceof BigInt64Array) return Array.from(d, (v) => Number(v));
  if (d instanceof Int32Array) return Array.from(d);
  return undefined;
}

export function needInts(inputs: readonly (Tensor | undefined)[], i: number, what: string): number[] {
  const v = constInts(inputs[i]);
  if (!v) throw new Error(`${what} (input #${i}) must be an int64 constant known at trace time`);
  return v;
}
