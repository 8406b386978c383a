/**
 * SwiGLU gate: silu(gate) ⊙ up, with σ and silu(gate) kept from the forward so the backward is a
 * few elementwise passes: du = dy·silu(g), dg = dy·u·(σ + silu(g)·(1 − σ)).
 */
import { defineOp } from '../custom-op.js';
import type { Tensor } from '../tensor.js';
import { add, mul, sigmoid, sub } from '../ops/elementwise.js';
import { requireFloat, requireSameDtype, fail } from './util.js';
import { shapesEqual } from '../shape.js';

const swigluOp = defineOp({
  name: 'swiglu',
  forward: ([gate, up]) => {
    const s = sigmoid(gate as Tensor);
    const act = mul(gate as Tensor, s);
    return { outputs: mul(act, up as Tensor), saved: { s, act } };
  },
  backward: (ctx) => {
    const up = ctx.inputs[1] as Tensor;
    const { s, act } = ctx.saved as { s: Tensor; act: Tensor };
    const dy = ctx.gradOrZeros(0);
    const dGate = ctx.needsGrad[0] ? mul(mul(dy, up), add(s, mul(act, sub(1, s)))) : undefined;
    const dUp = ctx.needsGrad[1] ? mul(dy, act) : undefined;
    return [dGate, dUp];
  },
});

/** silu(gate) ⊙ up for two tensors of the same shape (the gate and up projections of the MLP). */
export function swiglu(gate: Tensor, up: Tensor): Tensor {
  requireFloat('swiglu', 'gate', gate);
  requireSameDtype('swiglu', gate, { up });
  if (!shapesEqual(gate.shape, up.shape)) fail('swiglu', `gate ${gate.describe()} and up ${up.describe()} must have the same shape`);
  return swigluOp([gate, up], {})[0] as Tensor;
}
