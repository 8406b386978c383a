/**
 * Traces a reward model: the decoder with trainable LoRA factors, the hidden state of each row's
 * pooled token (HF sequence classifiers: the last token that is not padding, fed as a flat index),
 * a bias-free `score` head [num_labels, hidden] — exactly the layout the exported
 * `…ForSequenceClassification` folder has — and, for training, the loss and its gradients.
 *
 * Training normalizes over the whole optimizer step: the graph returns Σ weight·loss of its rows
 * (or pairs) times `norm` = 1/(rows or pairs in the step), so micro-batch gradients just add.
 * Padding rows of a short final micro-batch carry weight 0.
 */
import type { Program, Tensor } from '../../engine/index.js';
import { Graph, gradients, ops } from '../../engine/index.js';
import { linear } from '../../engine/primitives/index.js';
import { DecoderTrace } from '../../model/decoder/index.js';
import type { DecoderModel, DropoutInput } from '../../model/decoder/index.js';
import { CLASSIFIER_INPUTS } from '../../model/classifier/classifier-graph.js';
import type { LoraConfig } from '../../model/lora/index.js';
import type { RewardLoss } from './reward-loss.js';

export const SCORE_WEIGHT = 'score.weight';

export const rewardFeeds = {
  ...CLASSIFIER_INPUTS,
  /** float32 [batch] (mse, bce) or int64 [batch] (ce). */
  target: 'target',
  rowWeight: 'row_weight',
  /** int64 [pairs]: rows holding the chosen and the rejected input of each pair. */
  chosen: 'chosen_index',
  rejected: 'rejected_index',
  pairWeight: 'pair_weight',
  norm: 'norm',
} as const;

export const rewardOutputs = { logits: 'logits', loss: 'loss', sum: 'loss_sum' } as const;

export interface RewardGraphOptions {
  readonly model: DecoderModel;
  readonly lora: LoraConfig;
  readonly numLabels: number;
  readonly loss: RewardLoss;
  /** Bradley–Terry only: TRL's center_rewards_coefficient (0: off). */
  readonly centerCoefficient?: number;
  /** Training graph: dropout masks, the loss and its gradients. Evaluation: logits only. */
  readonly training: boolean;
}

export interface RewardGraph {
  readonly program: Program;
  readonly dropoutInputs: readonly DropoutInput[];
}

/** Σ over rows (or pairs) of the weighted loss. */
function lossSum(g: Graph, scores: Tensor, o: RewardGraphOptions): Tensor {
  if (o.loss === 'bradley-terry') {
    const flat = ops.reshape(scores, ['batch']);
    const chosen = ops.gather(flat, g.input(rewardFeeds.chosen, 'int64', ['pairs']), 0);
    const rejected = ops.gather(flat, g.input(rewardFeeds.rejected, 'int64', ['pairs']), 0);
    let perPair = ops.softplus(ops.sub(rejected, chosen));
    const c = o.centerCoefficient ?? 0;
    if (c > 0) perPair = ops.add(perPair, ops.mul(ops.pow(ops.add(chosen, rejected), 2), c));
    return ops.sum(ops.mul(perPair, g.input(rewardFeeds.pairWeight, 'float32', ['pairs'])));
  }
  const weight = g.input(rewardFeeds.rowWeight, 'float32', ['batch']);
  let perRow: Tensor;
  if (o.loss === 'ce') {
    perRow = ops.crossEntropy(scores, g.input(rewardFeeds.target, 'int64', ['batch']), { reduction: 'none' });
  } else {
    const s = ops.reshape(scores, ['batch']);
    const y = g.input(rewardFeeds.target, 'float32', ['batch']);
    perRow = o.loss === 'mse' ? ops.pow(ops.sub(s, y), 2) : ops.sub(ops.softplus(s), ops.mul(s, y));
  }
  return ops.sum(ops.mul(perRow, weight));
}

export function buildRewardGraph(o: RewardGraphOptions): RewardGraph {
  if ((o.loss === 'mse' || o.loss === 'bce' || o.loss === 'bradley-terry') && o.numLabels !== 1) {
    throw new Error(`reward graph: loss '${o.loss}' scores with one output, got num_labels ${o.numLabels}`);
  }
  const trace = DecoderTrace.trace(o.model, { trainable: { kind: 'lora', lora: o.lora }, dropout: o.training, positions: 'input' }, new Graph());
  const g = trace.graph;
  const H = o.model.config.hiddenSize;
  const flat = ops.reshape(trace.hidden(), [-1, H]);
  const pooled = ops.gather(flat, g.input(rewardFeeds.lastTokenIndex, 'int64', ['batch']), 0);
  const score = g.parameter(SCORE_WEIGHT, 'float32', [o.numLabels, H]);
  const logits = linear(pooled, score);
  if (!o.training) return { program: g.compile({ outputs: { [rewardOutputs.logits]: logits } }), dropoutInputs: [] };
  const sum = lossSum(g, logits, o);
  const loss = ops.mul(sum, g.input(rewardFeeds.norm, 'float32', []));
  const outputs: Record<string, Tensor> = { [rewardOutputs.loss]: loss, [rewardOutputs.sum]: sum, ...gradients(loss, g.parameters) };
  return { program: g.compile({ outputs }), dropoutInputs: trace.dropoutInputs };
}
