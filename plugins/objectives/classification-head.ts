/**
 * A linear classification head on the pooled hidden state (the last prompt token): logits =
 * pooled·Wᵀ + b with W in the [classes, hidden] layout of torch.nn.Linear, cross-entropy over the
 * examples that carry a label (the others contribute nothing, not even to the mean).
 */
import { linear, ops } from 'attune/engine';
import { IGNORE_INDEX } from 'attune';
import type { SftBuildContext, SftTerm } from 'attune/train';

export function classificationHeadTerm(ctx: SftBuildContext, label: string, classes: number): SftTerm {
  const weight = ctx.parameter('weight', [classes, ctx.hiddenSize], { kind: 'normal', std: 0.02 });
  const bias = ctx.parameter('bias', [classes], { kind: 'zeros' });
  const logits = linear(ctx.pooled, weight, { bias });
  const ids = ctx.label(label);
  const sum = ops.crossEntropy(logits, ids, { ignoreIndex: IGNORE_INDEX, reduction: 'sum' });
  const count = ops.sum(ops.cast(ops.notEqual(ids, IGNORE_INDEX), 'float32'));
  return { loss: ops.div(sum, ops.maximum(count, 1)), sum, count, predictions: { label, logits } };
}
