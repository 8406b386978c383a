/**
 * Traces a rollout stage's graph: the decoder with trainable LoRA factors over prompt +
 * completion rows, each completion token's log-prob at the sampling temperature (logits / T, as
 * the sampler drew them before top-k/top-p), the objectives' per-token terms, and
 * Σ_b w_b Σ_t m_bt L_bt × norm with its gradients. `logprobs` (and `ref_logprobs` when a term
 * reads the reference) are outputs too, for the trainer's metrics and its first-step check that
 * the graph agrees with the generator.
 *
 * LoRA dropout is never applied here: with μ = 1 the ratio is exp(ℓ − stopgrad ℓ) = 1 by
 * construction, and with μ > 1 a dropout mask would make π_old and π_θ different models.
 */
import type { Program, Tensor } from '../../engine/index.js';
import { Graph, gradients, ops, stopGradient } from '../../engine/index.js';
import { tokenLogProbs, tokenLogProbsAndEntropy } from '../../engine/primitives/index.js';
import { IGNORE_INDEX } from '../../base/ignore-index.js';
import { AttuneError } from '../../base/errors.js';
import { DecoderTrace } from '../../model/decoder/index.js';
import type { DecoderModel } from '../../model/decoder/index.js';
import type { LoraConfig } from '../../model/lora/index.js';
import type { RolloutBuildContext, RolloutObjective } from './rollout-objective.js';

export const rolloutFeeds = {
  advantages: 'advantages',
  rowWeight: 'row_weight',
  oldLogProbs: 'old_logprobs',
  norm: 'norm',
} as const;

export const rolloutOutputs = { loss: 'loss', sum: 'loss_sum', logProbs: 'logprobs', refLogProbs: 'ref_logprobs', entropy: 'entropy' } as const;

export interface RolloutGraphOptions {
  readonly model: DecoderModel;
  readonly lora: LoraConfig;
  readonly objectives: readonly RolloutObjective[];
  /** The sampling temperature (the policy's log-probs are of logits / T). */
  readonly temperature: number;
  /** π_old is fed (μ > 1) instead of being ℓ with its gradient stopped. */
  readonly feedOldLogProbs: boolean;
  /** false: only the log-probs (π_old before the first iteration of a generation batch). */
  readonly training: boolean;
}

export interface RolloutGraph {
  readonly program: Program;
  readonly usesReference: boolean;
}

export function buildRolloutGraph(o: RolloutGraphOptions): RolloutGraph {
  if (!(o.temperature > 0)) throw new AttuneError(`rollout graph: temperature must be > 0, got ${o.temperature}`);
  const trace = DecoderTrace.trace(o.model, { trainable: { kind: 'lora', lora: o.lora }, dropout: false }, new Graph());
  const g = trace.graph;
  const H = o.model.config.hiddenSize;
  const targets = trace.nextTokenTargets();
  const scaled = (hidden: Tensor): Tensor => ops.mul(ops.reshape(hidden, ['batch*seq', H]), 1 / o.temperature);
  const grid = (flat: Tensor): Tensor => ops.reshape(flat, ['batch', 'seq']);
  const policy = tokenLogProbsAndEntropy(scaled(trace.hidden()), trace.lmHeadWeight('policy'), targets);
  const logProbs = grid(policy.logProbs);
  const mask = grid(ops.cast(ops.notEqual(targets, IGNORE_INDEX), 'float32'));
  if (!o.training) return { program: g.compile({ outputs: { [rolloutOutputs.logProbs]: logProbs } }), usesReference: false };

  let reference: Tensor | undefined;
  const context: RolloutBuildContext = {
    graph: g,
    logProbs,
    oldLogProbs: o.feedOldLogProbs ? g.input(rolloutFeeds.oldLogProbs, 'float32', ['batch', 'seq']) : stopGradient(logProbs),
    referenceLogProbs: () => {
      reference ??= stopGradient(grid(tokenLogProbs(scaled(trace.referenceHidden()), trace.lmHeadWeight('reference'), targets)));
      return reference;
    },
    mask,
    advantages: g.input(rolloutFeeds.advantages, 'float32', ['batch']),
  };
  let perToken: Tensor | undefined;
  for (const objective of o.objectives) {
    const term = objective.build(context).perToken;
    const weighted = objective.weight === 1 ? term : ops.mul(term, objective.weight);
    perToken = perToken ? ops.add(perToken, weighted) : weighted;
  }
  if (!perToken) throw new AttuneError('rollout graph: no objective has a non-zero weight.', 'Give the grpo objective a weight above 0.');
  const rowWeight = ops.unsqueeze(g.input(rolloutFeeds.rowWeight, 'float32', ['batch']), 1);
  const sum = ops.sum(ops.mul(ops.mul(perToken, mask), rowWeight));
  const loss = ops.mul(sum, g.input(rolloutFeeds.norm, 'float32', []));
  const outputs: Record<string, Tensor> = {
    [rolloutOutputs.loss]: loss,
    [rolloutOutputs.sum]: sum,
    [rolloutOutputs.logProbs]: logProbs,
    // The policy's entropy at each completion token (of logits / T, as the log-probs), a metric.
    [rolloutOutputs.entropy]: grid(policy.entropy),
    ...gradients(loss, g.parameters),
  };
  if (reference) outputs[rolloutOutputs.refLogProbs] = reference;
  return { program: g.compile({ outputs }), usesReference: reference !== undefined };
}
