/**
 * Σ_t mask_t · KL(ref_t ‖ policy_t) over the full vocabulary, both distributions from the same
 * lm_head weight; the reference is a fixed target (no gradient). The logit gradient is
 * mask_t·(P_policy − P_ref), so dh = (mask·g) ⊙ ((P_policy − P_ref)·W): the per-token scale is
 * applied to [T, H] after the matmul, not to [T, V].
 */
import { defineOp } from '../custom-op.js';
import type { Tensor } from '../tensor.js';
import { stopGradient } from '../autodiff.js';
import { exp, mul, sub } from '../ops/elementwise.js';
import { logSoftmax, sum } from '../ops/reduce.js';
import { unsqueeze } from '../ops/shape-ops.js';
import { dim, gemm, rawMatMul, requireDim, requireRank, requireSameDtype } from './util.js';
import { checkHead, logits } from './lm-head-common.js';

const vocabKlOp = defineOp({
  name: 'vocabKl',
  forward: ([hp, hr, w, mask]) => {
    const lpPolicy = logSoftmax(logits(hp as Tensor, w as Tensor), -1);
    const lpRef = logSoftmax(logits(hr as Tensor, w as Tensor), -1);
    const pRef = exp(lpRef);
    const perToken = sum(mul(pRef, sub(lpRef, lpPolicy)), -1);
    return { outputs: sum(mul(perToken, mask as Tensor)), saved: { lpPolicy, pRef } };
  },
  backward: (ctx) => {
    const [hp, , w, mask] = ctx.inputs as [Tensor, Tensor, Tensor, Tensor];
    const { lpPolicy, pRef } = ctx.saved as { lpPolicy: Tensor; pRef: Tensor };
    const c = unsqueeze(mul(mask, ctx.gradOrZeros(0)), -1);
    const diff = sub(exp(lpPolicy), pRef);
    const grads: (Tensor | undefined)[] = [undefined, undefined, undefined, undefined];
    if (ctx.needsGrad[2]) {
      const dl = mul(diff, c);
      grads[2] = gemm(dl, hp, { transA: true });
      if (ctx.needsGrad[0]) grads[0] = rawMatMul(dl, w);
    } else if (ctx.needsGrad[0]) {
      grads[0] = mul(c, rawMatMul(diff, w));
    }
    return grads;
  },
});

/**
 * Scalar Σ_t mask_t · KL(softmax(ref_t·Wᵀ) ‖ softmax(policy_t·Wᵀ)) for policyHidden, referenceHidden
 * [T, H], weight [V, H] and mask [T] (float). Gradient flows only into policyHidden (and weight,
 * through the policy logits, when it is trainable).
 */
export function vocabKl(policyHidden: Tensor, referenceHidden: Tensor, weight: Tensor, mask: Tensor): Tensor {
  const op = 'vocabKl';
  checkHead(op, policyHidden, weight, 'policyHidden');
  checkHead(op, referenceHidden, weight, 'referenceHidden');
  requireDim(op, `referenceHidden ${referenceHidden.describe()} dim 0 (T)`, dim(referenceHidden, 0), dim(policyHidden, 0), `policyHidden's T (${policyHidden.describe()})`);
  requireRank(op, 'mask', mask, 1, '[T] float');
  requireSameDtype(op, policyHidden, { mask });
  requireDim(op, `mask ${mask.describe()} length`, dim(mask, 0), dim(policyHidden, 0), `policyHidden's T (${policyHidden.describe()})`);
  return vocabKlOp([policyHidden, stopGradient(referenceHidden), weight, stopGradient(mask)], {})[0] as Tensor;
}
