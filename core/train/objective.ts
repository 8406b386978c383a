/**
 * The SFT objective contract: what an objective builds against (the graph context the trainer
 * traces for it) and what it returns. Objectives are plugins (`plugins/objectives/`); a
 * third-party objective implements `SftObjective` with the same public types.
 */
import type { Graph, Tensor } from '../engine/index.js';
import type { CanonicalExample } from '../data/example.js';
import type { Objective } from '../kernel/extension-points/objective.js';
import type { ParameterInit } from './init.js';

/** A per-example class label an objective reads (e.g. the emotion of the user's latest turn). */
export interface LabelField {
  /** Name the objective asks the context for (`ctx.label(name)`), e.g. `emotion`. */
  readonly name: string;
  /** Class names in id order (the head's output order). */
  readonly classes: readonly string[];
  /** The class id of an example, or undefined when it has no label in this taxonomy. */
  read(example: CanonicalExample): number | undefined;
}


/**
 * A per-example float an objective reads (a weight, a score, a margin): fed as float32 [batch],
 * `fallback` for examples without a value and for padding rows.
 */
export interface ExampleInput {
  /** Name the objective asks the context for (`ctx.input(name)`). */
  readonly name: string;
  read(example: CanonicalExample): number | undefined;
  readonly fallback: number;
}

export interface SftBuildContext {
  readonly graph: Graph;
  /** False in the evaluation graph (no dropout, no gradients). */
  readonly training: boolean;
  readonly hiddenSize: number;
  /** Policy's final normed hidden states, flattened [batch*seq, hidden]. */
  readonly hidden: Tensor;
  /** The frozen lm_head weight [vocab, hidden] (the embedding when tied). */
  readonly lmHead: Tensor;
  /** Next-token targets [batch*seq] int64, −100 outside assistant replies and on padding. */
  readonly targets: Tensor;
  /** 1 where `targets` is scored, else 0: [batch*seq] float. */
  readonly targetMask: Tensor;
  /** Hidden state [batch, hidden] at each example's last prompt token (the user's latest turn). */
  readonly pooled: Tensor;
  /** Reference model's hidden states (adapter off) [batch*seq, hidden]; traced only when a term calls it. */
  referenceHidden(): Tensor;
  /**
   * log p(target | prefix) [batch*seq] of each next-token target, aligned with `targets` (0 where
   * the target is ignored): under the policy, or under the reference (the adapter off).
   */
  tokenLogProbs(which?: 'policy' | 'reference'): Tensor;
  /** Vocabulary logits [batch*seq, vocab] of the policy or the reference; costly at large vocabularies, traced only when called. */
  logits(which?: 'policy' | 'reference'): Tensor;
  /** A per-example float [batch] the objective declared in `inputs`. */
  input(name: string): Tensor;
  /** Class ids [batch] int64 of a label field the objective declared (IGNORE_INDEX where absent). */
  label(name: string): Tensor;
  /** A trainable tensor owned by this objective (a head), stored as `heads.<term>.<name>`. */
  parameter(name: string, shape: readonly number[], init: ParameterInit): Tensor;
}

export interface SftTerm {
  /** The unweighted scalar loss of this micro-batch (the trainer applies the weight). */
  readonly loss: Tensor;
  /**
   * Σ over scored units and their count (in the objective's `countUnit`): training normalizes
   * Σ by the whole step's count and evaluation pools exactly across batches.
   */
  readonly sum?: Tensor;
  readonly count?: Tensor;
  /** Class scores [batch, classes] of a label field, for accuracy and macro-F1 in evaluation. */
  readonly predictions?: { readonly label: string; readonly logits: Tensor };
}

/**
 * What a term's `count` counts, so the trainer knows a step's count before its micro-batches run:
 * scored next-token targets, or the examples carrying a label of the named field.
 */
export type CountUnit = 'targetTokens' | { readonly label: string };

export interface SftObjective extends Objective<SftBuildContext, SftTerm> {
  /** Per-example floats this term reads through `ctx.input(name)` (each becomes a graph input). */
  readonly inputs?: readonly ExampleInput[];
  /** Label fields this term reads through `ctx.label(name)` (each becomes a graph input). */
  readonly labelFields?: readonly LabelField[];
  /**
   * Required when `build` returns `sum` and `count`: the step loss of the term is then
   * Σ sum / (the step's count in this unit). A term without them is averaged over micro-batches.
   */
  readonly countUnit?: CountUnit;
}

/** A term whose weight is 0 is not created at all: checked by recipes before `create`. */
export function isActiveWeight(weight: unknown): boolean {
  return typeof weight !== 'number' || weight !== 0;
}
