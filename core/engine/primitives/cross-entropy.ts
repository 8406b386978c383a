/**
 * lm_head + cross-entropy fused under one hand-written backward.
 *
 * Forward: logits = h·Wᵀ, LogSoftmax (exact loss), a gather at the labels. Per token t with
 * c_t = valid_t·dL, the logit gradient is c_t·(P_t − (1−ε)·onehot(y_t) − ε/V), so for a frozen W
 * dh_t = c_t·(P_t·W − (1−ε)·W[y_t] − ε·mean_v W_v): one Gemm with the gathered rows in its C
 * input, and c scales [T, H] rather than [T, V].
 *
 * When h needs a gradient and W does not (LoRA, QLoRA), the forward runs in row chunks and forms
 * G_t = P_t·W − (1−ε)·W[y_t] − ε·mean(W) as it goes, the way fused linear cross-entropy kernels
 * do: only one chunk's [rows, V] logits exist at a time, the backward is dh = c ⊙ G, and no [T, V]
 * tensor is kept between forward and backward — at no extra FLOPs. A trainable W (full
 * fine-tuning) keeps the log-probs and builds the [T, V] logit gradient (with a scatter-add for
 * the one-hot term) for dW.
 */
import { defineOp } from '../custom-op.js';
import type { Tensor } from '../tensor.js';
import { add, exp, mul, neg, sub } from '../ops/elementwise.js';
import { logSoftmax, mean, sum } from '../ops/reduce.js';
import { unsqueeze } from '../ops/shape-ops.js';
import { after } from '../ops/sequence.js';
import { dim, fail, gemm, rawMatMul } from './util.js';
import { addAtTargets, checkHead, checkTargets, logits, pickAtTargets, rowChunks, targetMask, targetRows } from './lm-head-common.js';

export interface LmHeadCrossEntropyOptions {
  /** PyTorch semantics: (1−ε)·nll + ε·mean over the vocabulary of −log p. Default 0. */
  readonly labelSmoothing?: number;
  /**
   * Row chunks of the gradient-in-forward path (ignored when W is trainable or h needs no
   * gradient). Default: about one per 8,192 vocabulary entries, at most 16.
   */
  readonly chunks?: number;
}

export interface LmHeadCrossEntropyResult {
  /** Σ over non-ignored tokens of the per-token loss (divide by a token count of your choice). */
  readonly lossSum: Tensor;
  /** Number of non-ignored tokens, in the hidden dtype (no gradient). */
  readonly count: Tensor;
}

interface CeAttrs {
  readonly eps: number;
  readonly vocab: number;
  /** 0: keep the log-probs for the backward; n ≥ 1: form dh/c in the forward, in n row chunks. */
  readonly gradientChunks: number;
}

/** Σ_t valid_t · loss_t over one block of rows, from its log-probs. */
function chunkLoss(lp: Tensor, valid: Tensor, safe: Tensor, eps: number): Tensor {
  let perToken = neg(pickAtTargets(lp, safe));
  if (eps > 0) perToken = sub(mul(perToken, 1 - eps), mul(mean(lp, -1), eps));
  return sum(mul(perToken, valid));
}

/** G = P·W − (1−ε)·W[y] − ε·mean(W) for one block of rows; mean(W) of a frozen W is constant-folded. */
function unscaledHiddenGradient(lp: Tensor, w: Tensor, safe: Tensor, eps: number): Tensor {
  let rows = targetRows(w, safe);
  if (eps > 0) rows = add(mul(rows, 1 - eps), mul(mean(w, 0), eps));
  return gemm(exp(lp), w, { c: rows, beta: -1 });
}

const ceOp = defineOp<CeAttrs>({
  name: 'lmHeadCrossEntropy',
  forward: ([h, w, labels], { eps, gradientChunks }): { outputs: Tensor[]; saved: Record<string, Tensor> } => {
    const hs = h as Tensor;
    const { valid, safe } = targetMask(labels as Tensor, hs.dtype);
    const count = sum(valid);
    if (gradientChunks === 0) {
      const lp = logSoftmax(logits(hs, w as Tensor), -1);
      return { outputs: [chunkLoss(lp, valid, safe, eps), count], saved: { lp, valid, safe } };
    }
    const losses: Tensor[] = [];
    const grads: Tensor[] = [];
    for (const { rows, take } of rowChunks(hs, gradientChunks)) {
      const lp = logSoftmax(logits(rows, w as Tensor), -1);
      const chunkSafe = take(safe);
      const loss = chunkLoss(lp, take(valid), chunkSafe, eps);
      // The chunk's gradient part waits for its loss, so both read the log-probs while they exist
      // (and an evaluation graph, which needs only the loss, prunes the gradient part away).
      grads.push(after(unscaledHiddenGradient(lp, w as Tensor, chunkSafe, eps), [loss]));
      losses.push(loss);
    }
    const g = hs.graph;
    const unscaled = grads.length === 1 ? grads[0]! : g.node('Concat', grads, { axis: 0 }, { outputs: [{ dtype: hs.dtype, shape: hs.shape }] })[0]!;
    return { outputs: [losses.reduce((a, b) => add(a, b)), count], saved: { unscaled, valid } };
  },
  backward: (ctx) => {
    const [h, w] = ctx.inputs as [Tensor, Tensor];
    const { eps, vocab, gradientChunks } = ctx.attrs;
    const saved = ctx.saved as { lp: Tensor; valid: Tensor; safe: Tensor; unscaled: Tensor };
    if (gradientChunks > 0) {
      // G first: its chunks (and the chunk losses they wait for) then run one after another.
      return [mul(saved.unscaled, unsqueeze(mul(saved.valid, ctx.gradOrZeros(0)), -1)), undefined, undefined];
    }
    const { lp, valid, safe } = saved;
    // The loss sum reads the log-probs too; without the `after`, onnxruntime may compute that
    // output last and keep the [T, V] log-probs alive through the whole backward.
    const c = unsqueeze(mul(valid, after(ctx.gradOrZeros(0), [ctx.outputs[0] as Tensor])), -1);
    let dh: Tensor | undefined;
    let dw: Tensor | undefined;
    if (ctx.needsGrad[1]) {
      let dl = mul(exp(lp), c);
      if (eps > 0) dl = sub(dl, mul(c, eps / vocab));
      dl = addAtTargets(dl, safe, mul(c, -(1 - eps)));
      dw = gemm(dl, h, { transA: true });
      if (ctx.needsGrad[0]) dh = rawMatMul(dl, w);
    } else if (ctx.needsGrad[0]) {
      dh = mul(c, unscaledHiddenGradient(lp, w, safe, eps));
    }
    return [dh, dw, undefined];
  },
});

/** The default row chunks of the gradient-in-forward path: about one per 8,192 vocabulary entries, 1–16. */
export const defaultLmHeadChunks = (vocab: number): number => Math.max(1, Math.min(16, Math.round(vocab / 8192)));

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
  const chunks = options.chunks ?? defaultLmHeadChunks(vocab);
  if (!Number.isInteger(chunks) || chunks < 1) fail(op, `chunks must be a positive integer, got ${chunks}`);
  const gradientChunks = hidden.requiresGrad && !weight.requiresGrad ? chunks : 0;
  const [lossSum, count] = ceOp([hidden, weight, labels], { eps, vocab, gradientChunks }) as [Tensor, Tensor];
  return { lossSum, count };
}
