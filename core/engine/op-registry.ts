import type { DType } from './dtype.js';
import type { Shape } from './shape.js';
import type { Tensor } from './tensor.js';
import type { TypedAttr } from './attributes.js';

/** dtype and shape of one node output, as shape inference derives it. */
export interface ValueSpec {
  readonly dtype: DType;
  readonly shape: Shape;
}

/**
 * Shape inference for one ONNX op type. Receives the node's inputs (undefined for omitted optional
 * inputs) and typed attributes; returns one spec per output, or throws a string-bearing Error whose
 * message the graph prefixes with the op and its operands.
 */
export type ShapeRule = (inputs: readonly (Tensor | undefined)[], attrs: Readonly<Record<string, TypedAttr>>, numOutputs: number) => ValueSpec[];

/** What a backward rule sees for one recorded application. */
export interface VjpContext {
  readonly inputs: readonly (Tensor | undefined)[];
  readonly outputs: readonly Tensor[];
  /** Gradient of the loss w.r.t. each output; undefined where that output does not reach the loss. */
  readonly outputGrads: readonly (Tensor | undefined)[];
  /** Whether the caller needs a gradient for each input; return undefined for the others. */
  readonly needsGrad: readonly boolean[];
  readonly attrs: Readonly<Record<string, TypedAttr>>;
  /** outputGrads[i], or zeros shaped like outputs[i] when it is undefined. */
  gradOrZeros(i: number): Tensor;
}

export type VjpRule = (ctx: VjpContext) => (Tensor | undefined)[];

export interface OpRule {
  readonly infer: ShapeRule;
  /** Absent: the op is not differentiable (indices, comparisons) — gradients stop here. */
  readonly vjp?: VjpRule;
}

const rules = new Map<string, OpRule>();

function key(domain: string, opType: string): string {
  return `${domain}::${opType}`;
}

/** Registers shape inference (and optionally a backward rule) for a raw ONNX op type. */
export function registerOp(opType: string, rule: OpRule, domain = ''): void {
  rules.set(key(domain, opType), rule);
}

export function lookupOp(opType: string, domain: string): OpRule | undefined {
  return rules.get(key(domain, opType));
}
