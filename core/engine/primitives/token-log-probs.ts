/**
 * log p(target_t) under logits hidden·Wᵀ, per token (DPO, GRPO). Backward for a frozen W without a
 * [T, V] logit gradient: dh_t = g_t·(W[y_t] − P_t·W), one Gemm with the gathered rows in C.
 */
import { defineOp } from '../custom-op.js';
import type { Tensor } from '../tensor.js';
import { exp, mul, neg } from '../ops/elementwise.js';
import { logSoftmax } from '../ops/reduce.js';
import { unsqueeze } from '../ops/shape-ops.js';
import { gemm, rawMatMul } from './util.js';
import { addAtTargets, checkHead, checkTargets, logits, pickAtTargets, targetMask, targetRows } from './lm-head-common.js';

const tokenLogProbsOp = defineOp({
  name: 'tokenLogProbs',
  forward: ([h, w, targets]) => {
    const lp = logSoftmax(logits(h as Tensor, w as Tensor), -1);
    const { valid, safe } = targetMask(targets as Tensor, (h as Tensor).dtype);
    return { outputs: mul(pickAtTargets(lp, safe), valid), saved: { lp, valid, safe } };
  },
  backward: (ctx) => {
    const [h, w] = ctx.inputs as [Tensor, Tensor];
    const { lp, valid, safe } = ctx.saved as { lp: Tensor; valid: Tensor; safe: Tensor };
    const c = unsqueeze(mul(valid, ctx.gradOrZeros(0)), -1);
    const p = exp(lp);
    let dh: Tensor | undefined;
    let dw: Tensor | undefined;
    if (ctx.needsGrad[1]) {
      const dl = addAtTargets(neg(mul(p, c)), safe, c);
      dw = gemm(dl, h, { transA: true });
      if (ctx.needsGrad[0]) dh = rawMatMul(dl, w);
    } else if (ctx.needsGrad[0]) {
      dh = mul(c, gemm(p, w, { alpha: -1, c: targetRows(w, safe) }));
    }
    return [dh, dw, undefined];
  },
});

/**
 * Per-token log-probabilities [T] of targets [T] (int64) under hidden [T, H] · weight [V, H]ᵀ.
 * Targets equal to −100 give 0 and no gradient, so prompt positions can be masked in the ids.
 */
export function tokenLogProbs(hidden: Tensor, weight: Tensor, targets: Tensor): Tensor {
  checkHead('tokenLogProbs', hidden, weight);
  checkTargets('tokenLogProbs', 'targets', targets, hidden);
  return tokenLogProbsOp([hidden, weight, targets], {})[0] as Tensor;
}
