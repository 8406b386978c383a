/**
 * TRL's GRPO loss aggregations as a per-row weight and a micro-batch normalizer, so the graph
 * computes Σ_b w_b Σ_t m_bt L_bt × norm and micro-batch gradients just add up to the step's:
 *   grpo     w_b = 1/|o_b|, norm = 1/(B·GA)          mean over each sequence, then over sequences, ÷ GA
 *   bnpo     w_b = 1,       norm = 1/(T_mb·GA)       Σ m·L ÷ active tokens of the micro-batch, ÷ GA
 *   dr_grpo  w_b = 1,       norm = 1/(B·L_max·GA)    Σ m·L ÷ (B · max completion length), ÷ GA
 *   dapo     w_b = 1,       norm = 1/T_step          Σ m·L ÷ active tokens of the whole generation batch
 * B = completions in the micro-batch (padding rows excluded), |o_b| = active tokens of row b,
 * GA = micro-batches in the step, T = active (mask 1) tokens.
 */
import type { RolloutLossType } from './rollout-objective.js';

export interface MicroBatchCounts {
  /** Active tokens of each real row (masked truncated completions count 0). */
  readonly rowTokens: readonly number[];
}

export function rolloutRowWeights(lossType: RolloutLossType, counts: MicroBatchCounts): number[] {
  return counts.rowTokens.map((t) => (lossType === 'grpo' ? (t > 0 ? 1 / t : 0) : 1));
}

export function rolloutNormalizer(lossType: RolloutLossType, batch: MicroBatchCounts, step: { microBatches: number; activeTokens: number; maxCompletionLength: number }): number {
  const rows = batch.rowTokens.length;
  const tokens = batch.rowTokens.reduce((a, b) => a + b, 0);
  const ga = step.microBatches;
  switch (lossType) {
    case 'grpo':
      return rows > 0 ? 1 / (rows * ga) : 0;
    case 'bnpo':
      return 1 / (Math.max(tokens, 1) * ga);
    case 'dr_grpo':
      return rows > 0 ? 1 / (rows * step.maxCompletionLength * ga) : 0;
    case 'dapo':
      return 1 / Math.max(step.activeTokens, 1);
  }
}
