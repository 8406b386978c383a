/**
 * lm_head + cross-entropy fused under one hand-written backward.
 *
 * Forward: logits = h·Wᵀ, LogSoftmax (exact loss), a gather at the labels. Per token t with
 * c_t = valid_t·dL, the logit gradient is c_t·(P_t − (1−ε)·onehot(y_t) − ε/V), so for a frozen W
 * dh_t = c_t·(P_t·W − (1−ε)·W[y_t] − ε·mean_v W_v): one Gemm with the gathered rows in its C
 * input, and c scales [T, H] rather than [T, V]. Only a trainable W builds the [T, V] logit
 * gradient (with a scatter-add for the one-hot term) for dW.
 */
import { defineOp } from '../custom-op.js';
import type { Tensor } from '../tensor.js';
import { add, exp, mul, neg, sub } from '../ops/elementwise.js';
import { logSoftmax, mean, sum } from '../ops/reduce.js';
import { unsqueeze } from '../ops/shape-ops.js';
import { after } from '../ops/sequence.js';
import { dim, fail, gemm, rawMatMul } from './util.js';
import { addAtTargets, checkHead, checkTargets, logits, pickAtTargets, targetMask, targetRows } from './lm-head-common.js';

export interface LmHeadCrossEntropyOptions {
  /** PyTorch semantics: (1−ε)·nll + ε·mean over the vocabulary of −log p. Default 0. */
  readonly labelSmoothing?: number;
}

export interface LmHeadCrossEntropyResult {
  /** Σ over non-ignored tokens of the per-token loss (divide by a token count of your choice). */
  readonly lossSum: Tensor;
  /** Number of non-ignored tokens, in the hidden dtype (no gradient). */
  readonly count: Tensor;
}

const ceOp = defineOp<{ eps: number; vocab: number }>({
  name: 'lmHeadCrossEntropy',
  forward: ([h, w, labels], { eps }) => {
    const hs = h as Tensor;
    const lp = logSoftmax(logits(hs, w as Tensor), -1);
    const { valid, safe } = targetMask(labels as Tensor, hs.dtype);
    let perToken = neg(pickAtTargets(lp, safe));
    if (eps > 0) perToken = sub(mul(perToken, 1 - eps), mul(mean(lp, -1), eps));
    return { outputs: [sum(mul(perToken, valid)), sum(valid)], saved: { lp, valid, safe } };
  },
  backward: (ctx) => {
    const [h, w] = ctx.inputs as [Tensor, Tensor];
    const { lp, valid, safe } = ctx.saved as { lp: Tensor; valid: Tensor; safe: Tensor };
    const { eps, vocab } = ctx.attrs;
    // The loss sum reads the log-probs too; without the `after`, onnxruntime may compute that
    // output last and keep the [T, V] log-probs alive through the whole backward.
    const c = unsqueeze(mul(valid, after(ctx.gradOrZeros(0), [ctx.outputs[0] as Tensor])), -1);
    const p = exp(lp);
    let dh: Tensor | undefined;
    let dw: Tensor | undefined;
    if (ctx.needsGrad[1]) {
      let dl = mul(p, c);
      if (eps > 0) dl = sub(dl, mul(c, eps / vocab));
      dl = addAtTargets(dl, safe, mul(c, -(1 - eps)));
      dw = gemm(dl, h, { transA: true });
      if (ctx.needsGrad[0]) dh = rawMatMul(dl, w);
    } else if (ctx.needsGrad[0]) {
      // (1−ε)·W[y] + ε·mean(W) is subtracted through Gemm's C; mean(W) of a frozen W is constant-folded.
      let rows = targetRows(w, safe);
      if (eps > 0) rows = add(mul(rows, 1 - eps), mul(mean(w, 0), eps));
      dh = mul(c, gemm(p, w, { c: rows, beta: -1 }));
    }
    return [dh, dw, undefined];
  },
});

/**
 * Summed token cross-entropy of logits hidden [T, H] · weight [V, H]ᵀ against labels [T] (int64,
 * −100 ignored), without materializing a one-hot or, for a frozen head, the logit gradient.
 */
export function lmHeadCrossEntropy(hidden: Tensor, weight: Tensor, labels: Tensor, options: LmHeadCrossEntropyOptions = {}): LmHeadCrossEntropyResult {
  const op = 'lmHeadCrossEntropy';
  checkHead(op, hidden, weight);
  checkTargets(op, 'labels', labels, hidden);
  const eps = options.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps < 1)) fail(op, `labelSmoothing must be in [0, 1), got ${eps}`);
  const vocab = dim(weight, 0);
  if (typeof vocab !== 'number') fail(op, `weight ${weight.describe()} must have a concrete vocabulary size`);
  const [lossSum, count] = ceOp([hidden, weight, labels], { eps, vocab }) as [Tensor, Tensor];
  return { lossSum, count };
}
