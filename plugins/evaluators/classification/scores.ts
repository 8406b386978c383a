/**
 * Accuracy, macro-F1 (scikit-learn's default: the mean over the labels present in the gold or the
 * predictions, an undefined precision or recall counting 0) and the confusion counts.
 */
export interface ClassScores {
  readonly accuracy: number;
  readonly macroF1: number;
  readonly labels: readonly string[];
  /** counts[gold][predicted] over `labels`. */
  readonly confusion: readonly (readonly number[])[];
  readonly n: number;
}

export function classScores(gold: readonly string[], predicted: readonly string[], order: readonly string[] = []): ClassScores {
  const present = new Set([...gold, ...predicted]);
  const labels = [...order.filter((l) => present.has(l)), ...[...present].filter((l) => !order.includes(l)).sort()];
  const index = new Map(labels.map((l, i) => [l, i]));
  const confusion = labels.map(() => new Array<number>(labels.length).fill(0));
  gold.forEach((g, i) => confusion[index.get(g)!]![index.get(predicted[i]!)!]!++);
  const f1s = labels.map((_, k) => {
    const tp = confusion[k]![k]!;
    const predictedK = confusion.reduce((s, row) => s + row[k]!, 0);
    const goldK = confusion[k]!.reduce((s, v) => s + v, 0);
    const p = predictedK === 0 ? 0 : tp / predictedK;
    const r = goldK === 0 ? 0 : tp / goldK;
    return p + r === 0 ? 0 : (2 * p * r) / (p + r);
  });
  const correct = gold.filter((g, i) => g === predicted[i]).length;
  return { accuracy: gold.length === 0 ? Number.NaN : correct / gold.length, macroF1: labels.length === 0 ? Number.NaN : f1s.reduce((a, b) => a + b, 0) / labels.length, labels, confusion, n: gold.length };
}

/** A confusion matrix as a Vega-Lite heat map (gold down, predicted across, counts in the cells). */
export function confusionSpec(title: string, scores: ClassScores): Record<string, unknown> {
  const values = scores.labels.flatMap((g, i) => scores.labels.map((p, j) => ({ gold: g, predicted: p, count: scores.confusion[i]![j]! })));
  const size = Math.max(160, Math.min(720, scores.labels.length * 24));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `${title} (accuracy ${scores.accuracy.toFixed(3)}, macro-F1 ${scores.macroF1.toFixed(3)}, n = ${scores.n})`,
    width: size,
    height: size,
    background: 'white',
    data: { values },
    encoding: {
      x: { field: 'predicted', type: 'nominal', sort: scores.labels, title: 'predicted' },
      y: { field: 'gold', type: 'nominal', sort: scores.labels, title: 'gold' },
    },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues' } } } },
      { mark: { type: 'text', fontSize: 9 }, encoding: { text: { field: 'count', type: 'quantitative' }, color: { value: '#1d2330' } } },
    ],
  };
}
