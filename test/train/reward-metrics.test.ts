import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededSample as heldOutSample } from '../../core/data/formats/sample.js';
import { binaryMetrics, classMetrics, pairMetrics, pearson, ranks, regressionMetrics, rocAuc, spearman } from '../../core/train/reward-model/index.js';

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

describe('reward-model metrics (hand-worked values)', () => {
  test('Pearson r and Spearman ρ', () => {
    // x = 1,2,3; y = 1,3,2: cov 0.5·2 = 1, sxx = 2, syy = 2 → r = 0.5.
    close(pearson([1, 2, 3], [1, 3, 2]), 0.5);
    close(pearson([1, 2, 3], [6, 4, 2]), -1);
    assert.ok(Number.isNaN(pearson([1, 1, 1], [1, 2, 3])), 'a constant prediction has no r');
    assert.deepEqual(ranks([10, 20, 10, 5]), [2.5, 4, 2.5, 1]);
    close(spearman([1, 2, 3, 4], [1, 4, 9, 16]), 1);
  });

  test('ROC AUC counts ties as half', () => {
    close(rocAuc([0.9, 0.8, 0.3, 0.1], [1, 1, 0, 0]), 1);
    close(rocAuc([0.1, 0.9, 0.5, 0.6], [1, 0, 1, 0]), 0);
    // positive 0.5 vs negatives 0.5 (tie, ½) and 0.2 (win) → (1.5)/2.
    close(rocAuc([0.5, 0.5, 0.2], [1, 0, 0]), 0.75);
    assert.ok(Number.isNaN(rocAuc([1, 2], [1, 1])));
  });

  test('regression, binary, class and pair summaries', () => {
    const r = regressionMetrics([1, 2, 4], [1, 3, 3]);
    close(r.mse!, 2 / 3);
    close(r.mae!, 2 / 3);
    close(r.baseline_mae!, (4 / 3 + 2 / 3 + 2 / 3) / 3);
    const b = binaryMetrics([2, -1, 0.5], [1, 0, 0]);
    close(b.accuracy!, 2 / 3);
    close(b.bce!, (Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(-1)) + Math.log1p(Math.exp(0.5))) / 3);
    const c = classMetrics([[2, 0, 0], [0, 1, 3], [0, 5, 1]], [0, 2, 2]);
    close(c.accuracy!, 2 / 3);
    close(c.majority_accuracy!, 2 / 3);
    const p = pairMetrics([1, 0, 2], [0, 1, 2]);
    close(p.pair_accuracy!, 1 / 3, 1e-12);
    close(p.margin!, 0);
    close(p.bradley_terry!, (Math.log1p(Math.exp(-1)) + Math.log1p(Math.exp(1)) + Math.log(2)) / 3);
  });

  test('held-out sample: every row up to the limit, else a seeded subset in file order', () => {
    const rows = Array.from({ length: 100 }, (_, i) => i);
    assert.deepEqual(heldOutSample(rows.slice(0, 10), 10, 1), rows.slice(0, 10));
    const sample = heldOutSample(rows, 20, 1);
    assert.equal(sample.length, 20);
    assert.deepEqual(sample, [...sample].sort((a, b) => a - b), 'kept in file order');
    assert.equal(new Set(sample).size, 20);
    assert.ok(sample.at(-1)! > 50, 'drawn from the whole split, not its head');
    assert.deepEqual(heldOutSample(rows, 20, 1), sample, 'the seed decides');
    assert.notDeepEqual(heldOutSample(rows, 20, 2), sample);
  });
});
