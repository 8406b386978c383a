/**
 * Traces a preference stage's graphs over micro-batches that hold each pair twice: the chosen
 * rows first, then the rejected rows (pair p is rows `chosen_rows[p]` and `rejected_rows[p]`), so
 * one decoder run scores both sides as TRL's concatenated forward does. A row's sequence
 * log-prob is Σ log π(token) over its completion tokens (labels ≠ −100), at temperature 1.
 *
 * - `training`: the objectives' terms, Σ_terms w·Σ_pairs L_p·norm (norm = 1 / pairs in the step,
 *   or 1 / chosen completion tokens in the step), its gradients through the LoRA factors, and the
 *   rows' sequence log-probs for the trainer's metrics;
 * - evaluation (`training: false`): the same loss and log-probs, no backward;
 * - `buildSequenceLogProbsGraph`: the log-probs alone, to score the reference (the adapter as it
 *   was when the stage started) before a step, or all pairs once when they are precomputed.
 *
 * No LoRA dropout (TRL's DPOConfig disables dropout by default): the reference and the policy
 * must be the same function at step 0, where every implicit reward is exactly 0.
 */
import type { Program, Tensor } from '../../engine/index.js';
import { Graph, gradients, ops } from '../../engine/index.js';
import { IGNORE_INDEX } from '../../base/ignore-index.js';
import { AttuneError } from '../../base/errors.js';
import { DecoderTrace } from '../../model/decoder/index.js';
import type { DecoderModel } from '../../model/decoder/index.js';
import type { LoraConfig } from '../../model/lora/index.js';
import type { PreferenceBuildContext, PreferenceObjective, PreferenceTerm } from './preference-objective.js';

export const preferenceFeeds = {
  chosenRows: 'chosen_rows',
  rejectedRows: 'rejected_rows',
  referenceChosen: 'ref_chosen_logps',
  referenceRejected: 'ref_rejected_logps',
  pairNorm: 'pair_norm',
  chosenTokenNorm: 'chosen_token_norm',
} as const;

export const preferenceOutputs = {
  loss: 'loss',
  /** Σ over the micro-batch's pairs of a term's per-pair loss (unweighted): `term_sum/<name>`. */
  termSum: (name: string): string => `term_sum/${name}`,
  /** Σ log π over each row's completion tokens [batch]. */
  sequenceLogProbs: 'sequence_logps',
} as const;

export interface PreferenceGraphOptions {
  readonly model: DecoderModel;
  readonly lora: LoraConfig;
  readonly objectives: readonly PreferenceObjective[];
  readonly training: boolean;
}

export interface TracedTerm {
  readonly name: string;
  /** The objective's weight × the term's weight. */
  readonly weight: number;
  readonly meanOver: PreferenceTerm['meanOver'];
}

export interface PreferenceGraph {
  readonly program: Program;
  readonly terms: readonly TracedTerm[];
}

interface Traced {
  readonly graph: Graph;
  readonly trace: DecoderTrace;
  /** [batch] */
  readonly sequenceLogProbs: Tensor;
}

function traceSequences(model: DecoderModel, lora: LoraConfig): Traced {
  const trace = DecoderTrace.trace(model, { trainable: { kind: 'lora', lora }, dropout: false }, new Graph());
  // tokenLogProbs is 0 wherever the label is −100 (the prompt, padding, position 0).
  const sequenceLogProbs = ops.sum(trace.tokenLogProbs('policy'), 1);
  return { graph: trace.graph, trace, sequenceLogProbs };
}

/** Σ log π over each row's completion: the reference's (and evaluation's) scoring program. */
export function buildSequenceLogProbsGraph(model: DecoderModel, lora: LoraConfig): Program {
  const { graph, sequenceLogProbs } = traceSequences(model, lora);
  return graph.compile({ outputs: { [preferenceOutputs.sequenceLogProbs]: sequenceLogProbs } });
}

export function buildPreferenceGraph(o: PreferenceGraphOptions): PreferenceGraph {
  const { graph: g, trace, sequenceLogProbs } = traceSequences(o.model, o.lora);
  const chosenRows = g.input(preferenceFeeds.chosenRows, 'int64', ['pairs']);
  const rejectedRows = g.input(preferenceFeeds.rejectedRows, 'int64', ['pairs']);
  const completionTokens = ops.sum(ops.cast(ops.notEqual(ops.slice(trace.labels(), { axis: 1, start: 1 }), IGNORE_INDEX), 'float32'), 1);
  const context: PreferenceBuildContext = {
    graph: g,
    chosenLogProbs: ops.gather(sequenceLogProbs, chosenRows, 0),
    rejectedLogProbs: ops.gather(sequenceLogProbs, rejectedRows, 0),
    referenceChosenLogProbs: g.input(preferenceFeeds.referenceChosen, 'float32', ['pairs']),
    referenceRejectedLogProbs: g.input(preferenceFeeds.referenceRejected, 'float32', ['pairs']),
    chosenTokens: ops.gather(completionTokens, chosenRows, 0),
    rejectedTokens: ops.gather(completionTokens, rejectedRows, 0),
  };
  const norms = { pairs: g.input(preferenceFeeds.pairNorm, 'float32', []), chosenTokens: g.input(preferenceFeeds.chosenTokenNorm, 'float32', []) };
  const terms: TracedTerm[] = [];
  const outputs: Record<string, Tensor> = { [preferenceOutputs.sequenceLogProbs]: sequenceLogProbs };
  let loss: Tensor | undefined;
  for (const objective of o.objectives) {
    for (const term of objective.build(context)) {
      if (terms.some((t) => t.name === term.name)) {
        throw new AttuneError(`preference graph: two terms are named '${term.name}'.`, 'List each loss type once (objectives/dpo lossType takes a list).');
      }
      const weight = objective.weight * term.weight;
      terms.push({ name: term.name, weight, meanOver: term.meanOver });
      const sum = ops.sum(term.perPair);
      outputs[preferenceOutputs.termSum(term.name)] = sum;
      if (weight === 0) continue;
      const part = ops.mul(ops.mul(sum, norms[term.meanOver]), weight);
      loss = loss ? ops.add(loss, part) : part;
    }
  }
  if (!loss) throw new AttuneError('preference graph: no term has a non-zero weight.', 'Give objectives/dpo a weight above 0.');
  outputs[preferenceOutputs.loss] = loss;
  if (o.training) Object.assign(outputs, gradients(loss, g.parameters));
  return { program: g.compile({ outputs }), terms };
}
