/** Elementwise arithmetic, transcendental and comparison ops with broadcasting, and their gradients. */
import type { DType } from '../dtype.js';
import { ONNX_DTYPE as ONNX_CAST, isFloat } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { registerOp } from '../op-registry.js';
import type { VjpContext } from '../op-registry.js';
import { broadcastAll, elementwiseRule, need, sameAsInput } from './rules-common.js';
import type { Operand } from './util.js';
import { dtypeOf, emit, graphOf, lift } from './util.js';
import { sumToShape } from './grad-util.js';
import { defineOp } from '../custom-op.js';

function binary(opType: string, a: Operand, b: Operand): Tensor {
  const g = graphOf(opType, a, b);
  const dt = dtypeOf(opType, a, b);
  return emit(g, opType, [lift(a, g, dt), lift(b, g, dt)]);
}

function unary(opType: string, x: Tensor): Tensor {
  return emit(x.graph, opType, [x]);
}

export const add = (a: Operand, b: Operand): Tensor => binary('Add', a, b);
export const sub = (a: Operand, b: Operand): Tensor => binary('Sub', a, b);
export const mul = (a: Operand, b: Operand): Tensor => binary('Mul', a, b);
export const div = (a: Operand, b: Operand): Tensor => binary('Div', a, b);
export const pow = (a: Operand, b: Operand): Tensor => binary('Pow', a, b);
/** Elementwise maximum of two operands (the larger one receives the gradient; ties go to `a`). */
export const maximum = (a: Operand, b: Operand): Tensor => binary('Max', a, b);
export const minimum = (a: Operand, b: Operand): Tensor => binary('Min', a, b);

export const neg = (x: Tensor): Tensor => unary('Neg', x);
export const sqrt = (x: Tensor): Tensor => unary('Sqrt', x);
export const reciprocal = (x: Tensor): Tensor => unary('Reciprocal', x);
export const rsqrt = (x: Tensor): Tensor => reciprocal(sqrt(x));
export const exp = (x: Tensor): Tensor => unary('Exp', x);
export const log = (x: Tensor): Tensor => unary('Log', x);
export const tanh = (x: Tensor): Tensor => unary('Tanh', x);
export const sigmoid = (x: Tensor): Tensor => unary('Sigmoid', x);
export const abs = (x: Tensor): Tensor => unary('Abs', x);
/**
 * Error function. onnxruntime has no float64 Erf kernel, so float64 computes the value in float32
 * (≈1e-7 relative) while the gradient rule stays exact.
 */
export function erf(x: Tensor): Tensor {
  if (x.dtype !== 'float64') return unary('Erf', x);
  return defineErf64([x], {})[0] as Tensor;
}
const defineErf64 = defineOp({
  name: 'erf(float64 via float32)',
  forward: ([x]) => cast(unary('Erf', cast(x as Tensor, 'float32')), 'float64'),
  backward: (c) => {
    const x = c.inputs[0] as Tensor;
    return [mul(c.gradOrZeros(0), mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)))];
  },
});
export const sign = (x: Tensor): Tensor => unary('Sign', x);
export const sin = (x: Tensor): Tensor => unary('Sin', x);
export const cos = (x: Tensor): Tensor => unary('Cos', x);
export const relu = (x: Tensor): Tensor => unary('Relu', x);
export const identity = (x: Tensor): Tensor => unary('Identity', x);
export const silu = (x: Tensor): Tensor => mul(x, sigmoid(x));

/** GELU; 'tanh' is the approximation HF calls gelu_pytorch_tanh, 'erf' the exact form. */
export function gelu(x: Tensor, approximate: 'erf' | 'tanh' = 'erf'): Tensor {
  if (approximate === 'erf') return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
  const inner = mul(add(x, mul(pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(mul(x, 0.5), add(tanh(inner), 1));
}

/**
 * softplus(x) = log(1 + eˣ), stable for any x: max(x, 0) + log(1 + e^(−|x|)). The sign is taken as a
 * constant mask (x ≥ 0), so the gradient is exactly sigmoid(x), 0.5 at x = 0 included.
 * −log σ(m) = softplus(−m) is the Bradley–Terry and DPO loss; BCE with logits is softplus(x) − x·y.
 */
export function softplus(x: Tensor): Tensor {
  const nonNegative = cast(greaterEqual(x, 0), x.dtype);
  const sign = sub(mul(nonNegative, 2), 1);
  return add(mul(x, nonNegative), log(add(exp(neg(mul(x, sign))), 1)));
}

/** Clamps into [lo, hi]; either bound may be omitted. Gradient passes only inside the range. */
export function clamp(x: Tensor, lo?: number, hi?: number): Tensor {
  const g = x.graph;
  return emit(g, 'Clip', [x, lo === undefined ? undefined : g.scalar(lo, x.dtype), hi === undefined ? undefined : g.scalar(hi, x.dtype)]);
}

export const equal = (a: Operand, b: Operand): Tensor => binary('Equal', a, b);
export const notEqual = (a: Operand, b: Operand): Tensor => logicalNot(binary('Equal', a, b));
export const less = (a: Operand, b: Operand): Tensor => binary('Less', a, b);
export const lessEqual = (a: Operand, b: Operand): Tensor => binary('LessOrEqual', a, b);
export const greater = (a: Operand, b: Operand): Tensor => binary('Greater', a, b);
export const greaterEqual = (a: Operand, b: Operand): Tensor => binary('GreaterOrEqual', a, b);
export const logicalAnd = (a: Tensor, b: Tensor): Tensor => binary('And', a, b);
export const logicalOr = (a: Tensor, b: Tensor): Tensor => binary('Or', a, b);
export const logicalNot = (x: Tensor): Tensor => unary('Not', x);

/** cond ? a : b with broadcasting; numbers lift to the tensor operand's dtype. */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  if (cond.dtype !== 'bool') throw new Error(`engine: where: condition ${cond.describe()} must be bool`);
  const g = cond.graph;
  const dt = dtypeOf('where', a, b);
  return emit(g, 'Where', [cond, lift(a, g, dt), lift(b, g, dt)]);
}

export function cast(x: Tensor, to: DType): Tensor {
  if (x.dtype === to) return x;
  return emit(x.graph, 'Cast', [x], { to: ONNX_CAST[to] });
}

// ---- rules -------------------------------------------------------------------------------

const gradOf = (ctx: VjpContext): Tensor => ctx.gradOrZeros(0);
const inp = (ctx: VjpContext, i: number): Tensor => need(ctx.inputs, i);
const out0 = (ctx: VjpContext): Tensor => ctx.outputs[0] as Tensor;

function binaryGrads(ctx: VjpContext, ga: () => Tensor, gb: () => Tensor): (Tensor | undefined)[] {
  return [ctx.needsGrad[0] ? sumToShape(ga(), inp(ctx, 0).shape) : undefined, ctx.needsGrad[1] ? sumToShape(gb(), inp(ctx, 1).shape) : undefined];
}

registerOp('Add', { infer: elementwiseRule(), vjp: (c) => binaryGrads(c, () => gradOf(c), () => gradOf(c)) });
registerOp('Sub', { infer: elementwiseRule(), vjp: (c) => binaryGrads(c, () => gradOf(c), () => neg(gradOf(c))) });
registerOp('Mul', {
  infer: elementwiseRule(),
  vjp: (c) => binaryGrads(c, () => mul(gradOf(c), inp(c, 1)), () => mul(gradOf(c), inp(c, 0))),
});
registerOp('Div', {
  infer: elementwiseRule(),
  vjp: (c) => binaryGrads(c, () => div(gradOf(c), inp(c, 1)), () => neg(mul(gradOf(c), div(out0(c), inp(c, 1))))),
});
registerOp('Pow', {
  infer: elementwiseRule(undefined, true),
  vjp: (c) =>
    binaryGrads(
      c,
      () => mul(mul(gradOf(c), inp(c, 1)), pow(inp(c, 0), sub(inp(c, 1), 1))),
      () => mul(mul(gradOf(c), out0(c)), log(inp(c, 0))),
    ),
});
registerOp('Max', {
  infer: elementwiseRule(),
  vjp: (c) => {
    const pick = greaterEqual(inp(c, 0), inp(c, 1));
    return binaryGrads(c, () => where(pick, gradOf(c), 0), () => where(pick, 0, gradOf(c)));
  },
});
registerOp('Min', {
  infer: elementwiseRule(),
  vjp: (c) => {
    const pick = lessEqual(inp(c, 0), inp(c, 1));
    return binaryGrads(c, () => where(pick, gradOf(c), 0), () => where(pick, 0, gradOf(c)));
  },
});

function floatUnary(): ReturnType<typeof sameAsInput> {
  return (inputs, attrs, n) => {
    const x = need(inputs, 0);
    if (!isFloat(x.dtype)) throw new Error(`needs a float operand, got ${x.dtype}`);
    return sameAsInput(0)(inputs, attrs, n);
  };
}

registerOp('Neg', { infer: sameAsInput(), vjp: (c) => [neg(gradOf(c))] });
registerOp('Identity', { infer: sameAsInput(), vjp: (c) => [gradOf(c)] });
registerOp('Sqrt', { infer: floatUnary(), vjp: (c) => [div(mul(gradOf(c), 0.5), out0(c))] });
registerOp('Reciprocal', { infer: floatUnary(), vjp: (c) => [neg(mul(gradOf(c), mul(out0(c), out0(c))))] });
registerOp('Exp', { infer: floatUnary(), vjp: (c) => [mul(gradOf(c), out0(c))] });
registerOp('Log', { infer: floatUnary(), vjp: (c) => [div(gradOf(c), inp(c, 0))] });
registerOp('Tanh', { infer: floatUnary(), vjp: (c) => [mul(gradOf(c), sub(1, mul(out0(c), out0(c))))] });
registerOp('Sigmoid', { infer: floatUnary(), vjp: (c) => [mul(gradOf(c), mul(out0(c), sub(1, out0(c))))] });
registerOp('Sin', { infer: floatUnary(), vjp: (c) => [mul(gradOf(c), cos(inp(c, 0)))] });
registerOp('Cos', { infer: floatUnary(), vjp: (c) => [neg(mul(gradOf(c), sin(inp(c, 0))))] });
registerOp('Abs', { infer: sameAsInput(), vjp: (c) => [mul(gradOf(c), sign(inp(c, 0)))] });
registerOp('Relu', { infer: sameAsInput(), vjp: (c) => [where(greater(inp(c, 0), 0), gradOf(c), 0)] });
registerOp('Erf', {
  infer: floatUnary(),
  vjp: (c) => {
    const x = inp(c, 0);
    return [mul(gradOf(c), mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)))];
  },
});
// Derivative is zero almost everywhere: registering no vjp stops the gradient, which is exact.
registerOp('Sign', { infer: sameAsInput() });
registerOp('Clip', {
  infer: (inputs) => {
    const x = need(inputs, 0);
    for (const b of inputs.slice(1)) {
      if (b && (b.rank !== 0 || b.dtype !== x.dtype)) throw new Error(`bounds must be ${x.dtype} scalars, got ${b.describe()}`);
    }
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  vjp: (c) => {
    const x = inp(c, 0);
    let inside: Tensor | undefined;
    const lo = c.inputs[1];
    const hi = c.inputs[2];
    if (lo) inside = greaterEqual(x, lo);
    if (hi) inside = inside ? logicalAnd(inside, lessEqual(x, hi)) : lessEqual(x, hi);
    return [inside ? where(inside, gradOf(c), 0) : gradOf(c)];
  },
});
registerOp('Where', {
  infer: (inputs) => {
    const cond = need(inputs, 0);
    const a = need(inputs, 1);
    const b = need(inputs, 2);
    if (cond.dtype !== 'bool') throw new Error(`condition must be bool, got ${cond.dtype}`);
    if (a.dtype !== b.dtype) throw new Error(`branch dtypes differ (${a.dtype} vs ${b.dtype})`);
    return [{ dtype: a.dtype, shape: broadcastAll([cond.shape, a.shape, b.shape]) }];
  },
  vjp: (c) => {
    const cond = inp(c, 0);
    const g = gradOf(c);
    return [
      undefined,
      c.needsGrad[1] ? sumToShape(where(cond, g, 0), inp(c, 1).shape) : undefined,
      c.needsGrad[2] ? sumToShape(where(cond, 0, g), inp(c, 2).shape) : undefined,
    ];
  },
});
registerOp('Cast', {
  infer: (inputs, attrs) => {
    const x = need(inputs, 0);
    const to = attrs['to'];
    const code = to && to.kind === 'int' ? to.value : -1;
    const dtype = (Object.entries(ONNX_CAST) as [DType, number][]).find(([, v]) => v === code)?.[0];
    if (!dtype) throw new Error(`attribute 'to' = ${code} is not a known dtype code`);
    return [{ dtype, shape: x.shape }];
  },
  vjp: (c) => [isFloat(inp(c, 0).dtype) ? cast(gradOf(c), inp(c, 0).dtype) : undefined],
});

for (const op of ['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual']) registerOp(op, { infer: elementwiseRule('bool') });
for (const op of ['And', 'Or']) registerOp(op, { infer: elementwiseRule('bool') });
registerOp('Not', { infer: sameAsInput() });
