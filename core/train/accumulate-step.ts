/**
 * One optimizer step's forward/backward passes: every micro-batch of the step is fed the
 * step-level normalizers of each term (`stepNormalizers`), so the added gradients are exactly
 * those of Σ_k λ_k · (step mean of term k), whichever micro-batch holds which kind of data.
 */
import type { Feed } from '../engine/index.js';
import { checkFinite } from '../engine/optim/index.js';
import type { GradientAccumulator, GradientMap } from '../engine/optim/index.js';
import type { CollatedBatch } from './collate.js';
import type { SftModel } from './sft-model.js';
import { stepNormalizers } from './step-weights.js';

export interface StepOutcome {
  /** Σ of the micro-batch gradients (the accumulator's buffers). */
  readonly gradients: GradientMap;
  /** Each term's step-level mean: Σ sums / step count (0 when the step holds none of its unit). */
  readonly terms: Record<string, number>;
  /** The graph's scalar summed over the micro-batches: Σ_k λ_k · terms[k], what the optimizer descends. */
  readonly objective: number;
}

/**
 * Runs `batches` as one step into `accumulator` (scaleBy 'none'; the stage loop resets it). `step` is the
 * 1-based step a NaN/Inf is reported at, naming the term that went bad.
 */
export async function accumulateStep(
  model: SftModel,
  batches: readonly CollatedBatch[],
  accumulator: GradientAccumulator,
  options: { readonly step: number; readonly dropout: (batch: CollatedBatch) => Record<string, Feed> },
): Promise<StepOutcome> {
  if (accumulator.scaleBy !== 'none') throw new Error(`accumulateStep: the accumulator must add gradients as they are (scaleBy 'none'), got '${accumulator.scaleBy}'.`);
  const norms = stepNormalizers(model.train.terms, batches);
  const pooled: Record<string, { sum: number; count: number }> = {};
  let objective = 0;
  for (const batch of batches) {
    const result = await model.trainStep(batch, options.dropout(batch), norms);
    // Terms before the total, so the error names the term that went bad.
    const { loss, ...termLosses } = result.losses;
    checkFinite(options.step, { losses: { ...termLosses, loss: loss as number } });
    accumulator.add(result.gradients);
    objective += loss as number;
    for (const [k, v] of Object.entries(result.pooled)) {
      const acc = (pooled[k] ??= { sum: 0, count: 0 });
      acc.sum += v.sum;
      acc.count += v.count;
    }
  }
  // Gradients are checked by the stage loop.
  const gradients = accumulator.finish();
  const terms: Record<string, number> = {};
  for (const t of model.train.terms) {
    const p = pooled[t.name];
    terms[t.name] = p && p.count > 0 ? p.sum / p.count : 0;
  }
  return { gradients, terms, objective };
}
