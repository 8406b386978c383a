/**
 * Held-out metrics of a reward model, in float64 from its logits:
 *   regression      mse, mae, Pearson r (the WASSA shared tasks' measure), Spearman ρ
 *   binary          bce, accuracy at p = 0.5, ROC AUC (ties count half)
 *   classification  ce, accuracy, macro-F1, and the majority-class baseline's
 *   preference      Bradley–Terry loss, pair accuracy (chosen scored strictly higher), mean margin
 */
import { seededSample } from '../../data/formats/sample.js';
import type { PairRow, PointRow, RewardInput, RewardRows } from '../../data/reward-rows/index.js';
import { classificationScores, majorityBaseline } from '../metrics.js';
import type { RewardLoss } from './reward-loss.js';

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

export function pearson(x: readonly number[], y: readonly number[]): number {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  x.forEach((xi, i) => {
    const dx = xi - mx;
    const dy = (y[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  });
  return sxx === 0 || syy === 0 ? Number.NaN : sxy / Math.sqrt(sxx * syy);
}

/** Average ranks (ties share the mean of their positions), 1-based. */
export function ranks(x: readonly number[]): number[] {
  const order = x.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(x.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) out[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

export const spearman = (x: readonly number[], y: readonly number[]): number => pearson(ranks(x), ranks(y));

/** ROC AUC = P(score of a random positive > score of a random negative), ties ½ (Mann–Whitney). */
export function rocAuc(scores: readonly number[], labels: readonly number[]): number {
  const r = ranks(scores);
  let positives = 0;
  let rankSum = 0;
  labels.forEach((l, i) => {
    if (l >= 0.5) {
      positives++;
      rankSum += r[i] as number;
    }
  });
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export function regressionMetrics(predicted: readonly number[], gold: readonly number[]): Record<string, number> {
  const errors = predicted.map((p, i) => p - (gold[i] as number));
  return {
    mse: mean(errors.map((e) => e * e)),
    mae: mean(errors.map(Math.abs)),
    pearson_r: pearson(predicted, gold),
    spearman_rho: spearman(predicted, gold),
    // What predicting the training mean everywhere would score (r is undefined for it).
    baseline_mae: mean(gold.map((g) => Math.abs(g - mean(gold)))),
  };
}

export function binaryMetrics(logits: readonly number[], gold: readonly number[]): Record<string, number> {
  return {
    bce: mean(logits.map((s, i) => softplus(s) - s * (gold[i] as number))),
    accuracy: mean(logits.map((s, i) => ((s > 0 ? 1 : 0) === ((gold[i] as number) >= 0.5 ? 1 : 0) ? 1 : 0))),
    auc: rocAuc(logits, gold),
  };
}

export function classMetrics(logits: readonly (readonly number[])[], gold: readonly number[]): Record<string, number> {
  const predicted = logits.map((row) => row.indexOf(Math.max(...row)));
  const ce = mean(
    logits.map((row, i) => {
      const max = Math.max(...row);
      const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
      return lse - (row[gold[i] as number] as number);
    }),
  );
  const scores = classificationScores(gold, predicted);
  const majority = majorityBaseline(gold);
  return { ce, accuracy: scores.accuracy, macro_f1: scores.macroF1, majority_accuracy: majority.accuracy, majority_macro_f1: majority.macroF1 };
}

export function pairMetrics(chosen: readonly number[], rejected: readonly number[]): Record<string, number> {
  const margins = chosen.map((c, i) => c - (rejected[i] as number));
  return {
    bradley_terry: mean(margins.map((m) => softplus(-m))),
    pair_accuracy: mean(margins.map((m) => (m > 0 ? 1 : 0))),
    margin: mean(margins),
  };
}

/**
 * The task's held-out metrics, whoever computes the logits (the training graph, or the exported
 * folder): all rows up to `limit`, else a seeded sample kept in file order, so a limit does not
 * just take the first source's rows. `score` returns one logits row per input.
 */
export async function heldOutMetrics(rows: RewardRows, loss: RewardLoss, o: { limit: number; seed: number }, score: (inputs: readonly RewardInput[]) => Promise<number[][]>): Promise<Record<string, number>> {
  if (rows.task === 'preference') {
    const pairs = seededSample(rows.rows as readonly PairRow[], o.limit, o.seed);
    const chosen = await score(pairs.map((p) => p.chosen));
    const rejected = await score(pairs.map((p) => p.rejected));
    return pairMetrics(chosen.map((l) => l[0]!), rejected.map((l) => l[0]!));
  }
  const points = seededSample(rows.rows as readonly PointRow[], o.limit, o.seed);
  const logits = await score(points.map((p) => p.input));
  const gold = points.map((p) => p.target);
  if (rows.task === 'classification') return classMetrics(logits, gold);
  const first = logits.map((l) => l[0]!);
  // A regression scored with bce predicts σ(logit); a binary task scored with mse predicts the value itself.
  if (rows.task === 'binary') return loss === 'bce' ? binaryMetrics(first, gold) : regressionMetrics(first, gold);
  return regressionMetrics(loss === 'bce' ? first.map((s) => 1 / (1 + Math.exp(-s))) : first, gold);
}

