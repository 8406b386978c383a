/**
 * RMSNorm y = x·r·w with r = 1/√(mean(x²) + eps) over the last axis (Llama/Qwen2), hand-differentiated.
 *
 * float32 runs the contrib `SimplifiedLayerNormalization`, whose second output is r itself, so the
 * backward reuses it: n = x·r, dn = dy·w, dx = r·(dn − n·mean(dn·n)), dw = Σ dy·n. That kernel's
 * float64 variant computes r in float32 (≈1e-7 relative), too coarse for float64 gradient checks,
 * so float64 computes r with standard ops; the backward is the same code for both dtypes.
 */
import { defineOp } from '../custom-op.js';
import type { Tensor } from '../tensor.js';
import { add, mul, reciprocal, sqrt, sub } from '../ops/elementwise.js';
import { mean, sum } from '../ops/reduce.js';
import { attr } from '../attributes.js';
import { dim, fail, lastDim, requireDim, requireFloat, requireRank, requireSameDtype } from './util.js';

const rmsNormOp = defineOp<{ eps: number }>({
  name: 'rmsNorm',
  forward: ([x, w], { eps }) => {
    const xs = x as Tensor;
    if (xs.dtype === 'float32') {
      const [y, r] = xs.graph.node('SimplifiedLayerNormalization', [xs, w], { axis: -1, epsilon: attr.float(eps) }, { outputs: 2 });
      return { outputs: y as Tensor, saved: { r: r as Tensor } };
    }
    const r = reciprocal(sqrt(add(mean(mul(xs, xs), -1, true), eps)));
    return { outputs: mul(mul(xs, r), w as Tensor), saved: { r } };
  },
  backward: (ctx) => {
    const x = ctx.inputs[0] as Tensor;
    const w = ctx.inputs[1] as Tensor;
    const r = ctx.saved['r'] as Tensor;
    const dy = ctx.gradOrZeros(0);
    const n = mul(x, r);
    let dx: Tensor | undefined;
    let dw: Tensor | undefined;
    if (ctx.needsGrad[0]) {
      const dn = mul(dy, w);
      dx = mul(r, sub(dn, mul(n, mean(mul(dn, n), -1, true))));
    }
    if (ctx.needsGrad[1]) dw = x.rank === 1 ? mul(dy, n) : sum(mul(dy, n), x.shape.slice(0, -1).map((_, i) => i));
    return [dx, dw];
  },
});

/** x [..., H] normalized over H and scaled by weight [H]; eps as in the model config (rms_norm_eps). */
export function rmsNorm(x: Tensor, weight: Tensor, eps: number): Tensor {
  const op = 'rmsNorm';
  requireFloat(op, 'x', x);
  if (x.rank < 1) fail(op, `x ${x.describe()} must have rank >= 1`);
  requireRank(op, 'weight', weight, 1, '[H]');
  requireSameDtype(op, x, { weight });
  requireDim(op, `weight ${weight.describe()} length`, dim(weight, 0), lastDim(x), `the last dim of x ${x.describe()}`);
  if (!(eps > 0) || !Number.isFinite(eps)) fail(op, `eps must be a positive finite number, got ${eps}`);
  return rmsNormOp([x, weight], { eps })[0] as Tensor;
}
