/**
 * Extension point: Objective — one weighted term of a training loss (LM NLL, an emotion
 * head, a safety KL, DPO, GRPO). Objectives are traced into the trainer's graph once; the
 * trainer then runs that graph every micro-batch.
 *
 * Lifecycle: `create(options)` → the trainer traces the model and hands `build` a typed
 * context (`attune/train`: hidden states, logits, token log-probs of the policy and of the
 * reference, the per-example inputs the term declares, its own parameters) → `build`
 * returns the term's scalar loss. A term whose weight is 0 is never created.
 */
import type { TrainingKind } from './training-kind.js';

export interface Objective<Context = unknown, Term = unknown> {
  /** Which trainers can run it; the item definition declares the same kind for config checks. */
  readonly kind: TrainingKind;
  /** Name of the term in logs and metrics, e.g. `lm`, `emotion`. */
  readonly name: string;
  readonly weight: number;
  build(context: Context): Term;
}
