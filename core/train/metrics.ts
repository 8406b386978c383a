/** Classification metrics for evaluation: accuracy and macro-F1 (sklearn's definition). */

export interface ClassificationScores {
  readonly accuracy: number;
  /** Mean F1 over the classes present in the gold labels or the predictions. */
  readonly macroF1: number;
  readonly support: number;
}

export function classificationScores(gold: readonly number[], predicted: readonly number[]): ClassificationScores {
  if (gold.length !== predicted.length) throw new Error(`classificationScores: ${gold.length} gold labels but ${predicted.length} predictions`);
  if (gold.length === 0) return { accuracy: Number.NaN, macroF1: Number.NaN, support: 0 };
  const classes = new Set<number>([...gold, ...predicted]);
  let correct = 0;
  const tp = new Map<number, number>();
  const goldCount = new Map<number, number>();
  const predCount = new Map<number, number>();
  gold.forEach((g, i) => {
    const p = predicted[i] as number;
    goldCount.set(g, (goldCount.get(g) ?? 0) + 1);
    predCount.set(p, (predCount.get(p) ?? 0) + 1);
    if (g === p) {
      correct++;
      tp.set(g, (tp.get(g) ?? 0) + 1);
    }
  });
  let f1Sum = 0;
  for (const c of classes) {
    const t = tp.get(c) ?? 0;
    const denominator = (goldCount.get(c) ?? 0) + (predCount.get(c) ?? 0);
    f1Sum += denominator === 0 ? 0 : (2 * t) / denominator;
  }
  return { accuracy: correct / gold.length, macroF1: f1Sum / classes.size, support: gold.length };
}

/**
 * The majority-class baseline on the same gold labels: always predicting the split's most frequent
 * class (ties to the smaller class id). A head that does not beat it has learned nothing usable.
 */
export function majorityBaseline(gold: readonly number[]): ClassificationScores {
  const counts = new Map<number, number>();
  for (const g of gold) counts.set(g, (counts.get(g) ?? 0) + 1);
  let majority = 0;
  let best = -1;
  for (const [label, count] of counts) {
    if (count > best || (count === best && label < majority)) [majority, best] = [label, count];
  }
  return classificationScores(gold, gold.map(() => majority));
}

/** Row-wise argmax of a [rows, classes] matrix. */
export function argmaxRows(data: ArrayLike<number>, rows: number, classes: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestValue = -Infinity;
    for (let c = 0; c < classes; c++) {
      const v = data[r * classes + c] as number;
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    out.push(best);
  }
  return out;
}
