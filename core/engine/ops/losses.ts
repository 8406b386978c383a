/** Objectives: cross-entropy with ignore index and label smoothing; KL estimators. */
import { IGNORE_INDEX } from '../../base/ignore-index.js';
import type { Tensor } from '../tensor.js';
import type { Dim } from '../shape.js';
import { dimEq, formatShape } from '../shape.js';
import { add, cast, div, exp, maximum, mul, neg, notEqual, sub, where } from './elementwise.js';
import { mean, sum, logSoftmax, softmax } from './reduce.js';
import { squeeze, unsqueeze } from './shape-ops.js';
import { takeAlongAxis } from './index-ops.js';

export interface CrossEntropyOptions {
  /** Targets equal to this are excluded from the loss and the mean. Default -100 (PyTorch/HF). */
  readonly ignoreIndex?: number;
  /** PyTorch semantics: (1-ε)·nll + ε·mean over classes of -log p. */
  readonly labelSmoothing?: number;
  /** 'mean' over non-ignored targets (default), 'sum', or 'none' (per-target losses, ignored = 0). */
  readonly reduction?: 'mean' | 'sum' | 'none';
}

/** Cross-entropy of logits [..., V] against int64 targets [...]. */
export function crossEntropy(logits: Tensor, targets: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  if (targets.dtype !== 'int64') throw new Error(`engine: crossEntropy: targets ${targets.describe()} must be int64`);
  if (targets.rank !== logits.rank - 1 || targets.shape.some((d, i) => !dimEq(d, logits.shape[i] as Dim))) {
    throw new Error(`engine: crossEntropy: targets ${formatShape(targets.shape)} must match logits ${formatShape(logits.shape)} without the class axis`);
  }
  const ignore = opts.ignoreIndex ?? IGNORE_INDEX;
  const eps = opts.labelSmoothing ?? 0;
  const lp = logSoftmax(logits, -1);
  const valid = notEqual(targets, ignore);
  const safe = where(valid, targets, 0);
  let loss = neg(squeeze(takeAlongAxis(lp, unsqueeze(safe, -1), -1), -1));
  if (eps > 0) loss = add(mul(loss, 1 - eps), mul(neg(mean(lp, -1)), eps));
  loss = where(valid, loss, 0);
  const reduction = opts.reduction ?? 'mean';
  if (reduction === 'none') return loss;
  const total = sum(loss);
  if (reduction === 'sum') return total;
  const count = maximum(sum(cast(valid, logits.dtype)), 1);
  return div(total, count);
}

/** k1 estimator of KL(π‖ref) per token: log π - log ref (unbiased, high variance). */
export function klK1(logp: Tensor, refLogp: Tensor): Tensor {
  return sub(logp, refLogp);
}

/** k3 "low-variance" estimator (Schulman; TRL GRPO): exp(ref - logp) - (ref - logp) - 1 ≥ 0. */
export function klK3(logp: Tensor, refLogp: Tensor): Tensor {
  const r = sub(refLogp, logp);
  return sub(sub(exp(r), r), 1);
}

/** Exact KL(softmax(p)‖softmax(q)) over the class axis of two logit tensors: [..., V] -> [...]. */
export function klFull(logitsP: Tensor, logitsQ: Tensor, axis = -1): Tensor {
  const lp = logSoftmax(logitsP, axis);
  const lq = logSoftmax(logitsQ, axis);
  return sum(mul(softmax(logitsP, axis), sub(lp, lq)), axis);
}
