/**
 * Extension point: Objective — one weighted term of a training loss (LM NLL, an emotion
 * head, a safety KL, DPO, GRPO). Objectives are traced into the trainer's graph once; the
 * trainer then runs that graph every micro-batch.
 *
 * Lifecycle: `create(options)` → the trainer asks `needs` to decide what the model graph
 * must expose (a term whose weight is 0 is never created, so it costs nothing) →
 * `build(graph)` adds the term to the traced graph and returns its scalar loss.
 */

/** What the model graph has to provide for this objective. */
export interface ObjectiveNeeds {
  /** Final hidden states (heads pool them). */
  hiddenStates?: boolean;
  /** Vocabulary logits or per-token log-probs of the targets. */
  tokenLogProbs?: boolean;
  /** The same forward with the adapter off (safety KL, DPO, GRPO reference). */
  referenceModel?: boolean;
  /** Batch labels this term reads, e.g. ['emotion'] or ['strategy']. */
  labels?: string[];
}

export interface Objective<BuildContext = unknown, Term = unknown> {
  /** Name of the term in logs and metrics, e.g. `lm`, `emotion`. */
  readonly name: string;
  readonly weight: number;
  readonly needs: ObjectiveNeeds;
  build(graph: BuildContext): Term;
}
