/**
 * How the micro-batches of an optimizer step are combined. Each loss term k is exact over the
 * whole step: λ_k · Σ(per-micro-batch sums) / (the term's count over the step). The counts are
 * known from the collated batches before any of them runs, so each micro-batch is fed the
 * term's normalizer 1/count and its gradients are simply added. A micro-batch with nothing for
 * one term (classify-only data has no reply tokens) still trains the others in full.
 */
import type { CollatedBatch } from './collate.js';
import type { CountUnit } from './objective.js';

/** A term's unit; 'microBatch' for a term without sum/count, averaged over micro-batches. */
export type StepUnit = CountUnit | 'microBatch';

export interface NormalizedTerm {
  readonly name: string;
  readonly unit: StepUnit;
}

/** What one micro-batch holds of a term's unit. */
export function unitCount(unit: StepUnit, batch: Pick<CollatedBatch, 'targetTokens' | 'labelled'>): number {
  if (unit === 'microBatch') return 1;
  if (unit === 'targetTokens') return batch.targetTokens;
  const n = batch.labelled[unit.label];
  if (n === undefined) throw new Error(`step normalizers: the batch was collated without label field '${unit.label}' (it has ${Object.keys(batch.labelled).join(', ') || 'none'}).`);
  return n;
}

/** 1/(the term's count over all the step's micro-batches) per term, 0 where that count is 0. */
export function stepNormalizers(terms: readonly NormalizedTerm[], batches: readonly Pick<CollatedBatch, 'targetTokens' | 'labelled'>[]): Record<string, number> {
  const norms: Record<string, number> = {};
  for (const t of terms) {
    const count = batches.reduce((total, b) => total + unitCount(t.unit, b), 0);
    norms[t.name] = count > 0 ? 1 / count : 0;
  }
  return norms;
}
