/** Raw-node helpers and argument checks the hand-written primitives share. */
// Registers the shape rules of the raw ONNX/contrib ops emitted below (Gemm, FusedMatMul, Split, ...).
import '../ops/index.js';
import { attr } from '../attributes.js';
import type { Attrs } from '../attributes.js';
import type { Dim } from '../shape.js';
import { dimEq, formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';

export interface GemmOptions {
  readonly transA?: boolean;
  readonly transB?: boolean;
  readonly alpha?: number;
  /** Accumulator: result = alpha·op(A)·op(B) + beta·C. */
  readonly c?: Tensor;
  readonly beta?: number;
}

/** 2-D Gemm; scales ride in alpha/beta and accumulation in C instead of separate elementwise passes. */
export function gemm(a: Tensor, b: Tensor, o: GemmOptions = {}): Tensor {
  const attrs: Record<string, Attrs[string]> = {};
  if (o.transA) attrs['transA'] = 1;
  if (o.transB) attrs['transB'] = 1;
  if (o.alpha !== undefined && o.alpha !== 1) attrs['alpha'] = attr.float(o.alpha);
  if (o.beta !== undefined && o.beta !== 1) attrs['beta'] = attr.float(o.beta);
  return a.graph.node('Gemm', o.c ? [a, b, o.c] : [a, b], attrs)[0] as Tensor;
}

export interface MatMulOptions {
  readonly transA?: boolean;
  readonly transB?: boolean;
  readonly alpha?: number;
}

/** Batched matmul with transposes and a scale folded in (com.microsoft FusedMatMul; float and double kernels). */
export function fusedMatMul(a: Tensor, b: Tensor, o: MatMulOptions = {}): Tensor {
  const attrs: Record<string, Attrs[string]> = {};
  if (o.transA) attrs['transA'] = 1;
  if (o.transB) attrs['transB'] = 1;
  if (o.alpha !== undefined && o.alpha !== 1) attrs['alpha'] = attr.float(o.alpha);
  return a.graph.node('FusedMatMul', [a, b], attrs, { domain: 'com.microsoft' })[0] as Tensor;
}

/** Plain MatMul without the engine's generic backward bookkeeping (callers are inside a custom op). */
export function rawMatMul(a: Tensor, b: Tensor): Tensor {
  return a.graph.node('MatMul', [a, b])[0] as Tensor;
}

/** Throws a located error naming the primitive and the operand. */
export function fail(op: string, msg: string): never {
  throw new Error(`primitives.${op}: ${msg}`);
}

export function requireFloat(op: string, role: string, t: Tensor): void {
  if (t.dtype !== 'float32' && t.dtype !== 'float64') fail(op, `${role} ${t.describe()} must be float32 or float64`);
}

export function requireSameDtype(op: string, ref: Tensor, others: Readonly<Record<string, Tensor | undefined>>): void {
  for (const [role, t] of Object.entries(others)) {
    if (t && t.dtype !== ref.dtype) fail(op, `${role} ${t.describe()} has dtype ${t.dtype}, but ${ref.describe()} is ${ref.dtype}; cast one so they match`);
  }
}

export function requireRank(op: string, role: string, t: Tensor, rank: number, layout: string): void {
  if (t.rank !== rank) fail(op, `${role} ${t.describe()} must have rank ${rank} (${layout}), got rank ${t.rank}`);
}

/** Asserts dims equal, naming both sides: "weight dim 1 (in) is 32 but x's last dim is 64". */
export function requireDim(op: string, what: string, got: Dim, expected: Dim, against: string): void {
  if (!dimEq(got, expected)) fail(op, `${what} is ${String(got)} but ${against} is ${String(expected)}`);
}

export function lastDim(t: Tensor): Dim {
  return t.shape[t.rank - 1] as Dim;
}

export function dim(t: Tensor, i: number): Dim {
  return t.shape[i] as Dim;
}

export function shapeText(t: Tensor): string {
  return formatShape(t.shape);
}
