/**
 * Evaluation on held-out items with the evaluation graph: every term's loss pooled exactly over
 * the split (Σ/count), LM perplexity, and accuracy / macro-F1 for each head's label beside the
 * majority-class baseline of the same items.
 */
import { IGNORE_INDEX } from '../base/ignore-index.js';
import type { DecoderConfig } from '../model/folder/config.js';
import { bucketLength, collate } from './collate.js';
import type { TrainItem } from './collate.js';
import { argmaxRows, classificationScores, majorityBaseline } from './metrics.js';
import type { SftModel } from './sft-model.js';
import { outputNames } from './sft-graph.js';
import { scalar } from './sft-model.js';

export interface EvalShape {
  readonly config: DecoderConfig;
  readonly batch: number;
  readonly bucket: number;
  readonly maxLength: number;
  readonly padId: number;
}

export async function evaluateItems(model: SftModel, items: readonly TrainItem[], shape: EvalShape): Promise<Record<string, number>> {
  const labelNames = model.labelFields.map((f) => f.name);
  const sums = new Map<string, { sum: number; count: number }>();
  const gold = new Map<string, number[]>();
  const predicted = new Map<string, number[]>();
  // Sorting by length keeps each batch's bucket tight; order does not change pooled metrics.
  const sorted = [...items].sort((a, b) => a.inputIds.length - b.inputIds.length);
  for (let start = 0; start < sorted.length; start += shape.batch) {
    const chunk = sorted.slice(start, start + shape.batch);
    const longest = Math.max(...chunk.map((i) => i.inputIds.length));
    const batch = collate(chunk, { batch: shape.batch, seq: bucketLength(longest, shape.bucket, shape.maxLength), padId: shape.padId }, shape.config, labelNames, model.inputFields);
    const out = await model.evalStep(batch);
    for (const term of model.eval.terms) {
      const acc = sums.get(term.name) ?? { sum: 0, count: 0 };
      if (term.pooled) {
        acc.sum += scalar(out, outputNames.sum(term.name));
        acc.count += scalar(out, outputNames.count(term.name));
      }
      sums.set(term.name, acc);
      if (term.predicts) {
        const logits = out[outputNames.logits(term.name)];
        const classes = logits ? (logits.dims[1] as number) : 0;
        if (!logits) continue;
        const preds = argmaxRows(logits.data as Float32Array, shape.batch, classes);
        chunk.forEach((item, row) => {
          const label = item.classes[term.predicts as string];
          if (label === undefined || label === IGNORE_INDEX) return;
          (gold.get(term.name) ?? gold.set(term.name, []).get(term.name)!).push(label);
          (predicted.get(term.name) ?? predicted.set(term.name, []).get(term.name)!).push(preds[row] as number);
        });
      }
    }
  }
  const metrics: Record<string, number> = { examples: items.length };
  for (const term of model.eval.terms) {
    const acc = sums.get(term.name);
    if (term.pooled && acc && acc.count > 0) metrics[`loss_${term.name}`] = acc.sum / acc.count;
    if (term.predicts) {
      const labels = gold.get(term.name) ?? [];
      const scores = classificationScores(labels, predicted.get(term.name) ?? []);
      if (scores.support > 0) {
        const baseline = majorityBaseline(labels);
        metrics[`${term.predicts}_accuracy`] = scores.accuracy;
        metrics[`${term.predicts}_macro_f1`] = scores.macroF1;
        metrics[`${term.predicts}_support`] = scores.support;
        metrics[`${term.predicts}_majority_accuracy`] = baseline.accuracy;
        metrics[`${term.predicts}_majority_macro_f1`] = baseline.macroF1;
      }
    }
  }
  const lm = metrics['loss_lm'];
  if (lm !== undefined) metrics['perplexity'] = Math.exp(lm);
  return metrics;
}
