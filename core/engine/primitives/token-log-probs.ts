/**
 * log p(target_t) under logits hidden·Wᵀ, per token (DPO, GRPO). Backward for a frozen W without a
 * [T, V] logit gradient: dh_t = g_t·(W[y_t] − P_t·W), one Gemm with the gathered rows in C.
 */
import { defineOp } from '../custom-op.js';
import type { Tensor } from '../tensor.js';
import { exp, mul, neg } from '../ops/elementwise.js';
import { logSoftmax, sum } from '../ops/reduce.js';
import { unsqueeze } from '../ops/shape-ops.js';
import { gemm, rawMatMul } from './util.js';
import { addAtTargets, checkHead, checkTargets, logits, pickAtTargets, targetMask, targetRows } from './lm-head-common.js';

const tokenLogProbsOp = defineOp({
  name: 'tokenLogProbs',
  forward: ([h, w, targets]) => {
    const lp = logSoftmax(logits(h as Tensor, w as Tensor), -1);
    const { valid, safe } = targetMask(targets as Tensor, (h as Tensor).dtype);
    // Second output: the entropy −Σ p·log p of each position's distribution, a metric from the same
    // log-softmax (no second lm_head product); it carries no gradient (see tokenLogProbsAndEntropy).
    const entropy = mul(neg(sum(mul(exp(lp), lp), -1)), valid);
    return { outputs: [mul(pickAtTargets(lp, safe), valid), entropy], saved: { lp, valid, safe } };
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
  return tokenLogProbsAndEntropy(hidden, weight, targets).logProbs;
}

/**
 * The per-token log-probabilities and, from the same log-softmax, the entropy [T] of each
 * position's distribution (0 where the target is −100), as TRL logs for GRPO. The entropy is a
 * metric: gradients flow through the log-probabilities only, never through it.
 */
export function tokenLogProbsAndEntropy(hidden: Tensor, weight: Tensor, targets: Tensor): { logProbs: Tensor; entropy: Tensor } {
  checkHead('tokenLogProbs', hidden, weight);
  checkTargets('tokenLogProbs', 'targets', targets, hidden);
  const [logProbs, entropy] = tokenLogProbsOp([hidden, weight, targets], {}) as [Tensor, Tensor];
  return { logProbs, entropy };
}
