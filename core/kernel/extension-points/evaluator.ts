/**
 * Extension point: Evaluator — measures a model (through a decoding policy) or a set of
 * predictions, and returns named metrics plus per-item details for reports.
 */
import type { DecodingPolicy, TextGenerator } from './decoding-policy.js';

export interface EvaluationSubject {
  /** Name shown in reports, e.g. the run directory or `base`. */
  label: string;
  generator: TextGenerator;
  policy: DecodingPolicy;
}

export interface EvaluationReport {
  /** Scalar metrics, e.g. { 'eq_bench.score': 61.2, 'eq_bench.parse_rate': 0.97 }. */
  metrics: Record<string, number>;
  /** Per-item records (prompt, output, score …), written to the run directory as JSONL. */
  items?: Record<string, unknown>[];
}

export interface Evaluator {
  evaluate(subject: EvaluationSubject, signal?: AbortSignal): Promise<EvaluationReport>;
}
