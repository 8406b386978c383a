/**
 * Extension point: Evaluator — measures a model (through a decoding policy) or a set of
 * predictions, and returns named metrics plus per-item details for reports. An evaluator that
 * can score saved responses (an export of `attune respond`, or rows produced elsewhere, e.g. by
 * vLLM) implements `rescore`, so `attune evaluate --from` needs no model.
 */
import type { DecodingPolicy, TextGenerator } from './decoding-policy.js';

export interface EvaluationSubject {
  /** Name shown in reports, e.g. the run directory or `base`. */
  label: string;
  generator: TextGenerator;
  policy: DecodingPolicy;
}

/** One answered prompt, as `attune respond` and every evaluator export it. */
export interface ResponseRow {
  prompt_id: string;
  prompt: string;
  model: string;
  response: string;
  meta: Record<string, unknown>;
  decoding: Record<string, unknown>;
  intervention?: { kind: string; reason: string } | null;
  trace?: unknown[];
}

export interface EvaluationReport {
  /** Scalar metrics, e.g. { 'eq_bench.score': 61.2, 'eq_bench.parse_rate': 0.97 }. */
  metrics: Record<string, number>;
  /** Per-item records, written to the run directory as JSONL: the evaluator's response rows, with its scores in `meta`. */
  items?: ResponseRow[];
  /** Lines for a report (what failed, what to read the figures against). */
  notes?: string[];
  /** Figures as Vega-Lite specs (e.g. a confusion matrix), rendered to SVG and PNG beside the export. */
  figures?: { name: string; spec: Record<string, unknown> }[];
}

export interface Evaluator {
  evaluate(subject: EvaluationSubject, signal?: AbortSignal): Promise<EvaluationReport>;
  /** Scores saved responses without a model; absent when the evaluator needs the model itself. */
  rescore?(rows: readonly ResponseRow[]): Promise<EvaluationReport>;
  dispose?(): Promise<void> | void;
}
