import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bucketLength, collate } from '../../core/train/collate.js';
import { feedNames } from '../../core/train/sft-graph.js';
import { argmaxRows, classificationScores, majorityBaseline } from '../../core/train/metrics.js';
import { initialValues } from '../../core/train/init.js';
import { IGNORE_INDEX } from '../../core/base/ignore-index.js';
import { openModelFolder } from '../../core/model/folder/open-model-folder.js';

describe('classification metrics', () => {
  test('macro-F1 averages per-class F1 over classes in gold or predictions (sklearn)', () => {
    // class 0: tp 2, fp 1, fn 0 → F1 0.8; class 1: tp 1, fp 0, fn 1 → 0.667; class 2: predicted once, never gold → 0
    const gold = [0, 0, 1, 1, 3];
    const pred = [0, 0, 1, 0, 2];
    const s = classificationScores(gold, pred);
    assert.equal(s.accuracy, 3 / 5);
    const f1 = [0.8, 2 / 3, 0, 0];
    assert.ok(Math.abs(s.macroF1 - f1.reduce((a, b) => a + b) / 4) < 1e-12);
    assert.equal(s.support, 5);
  });

  test('the majority baseline always predicts the most frequent gold class (ties to the smaller id)', () => {
    // gold 2,2,2,0,1: always 2 → accuracy 3/5; F1 of class 2 = 2·3/(3+5) = 0.75, classes 0 and 1 score 0 → macro 0.25
    const s = majorityBaseline([2, 2, 2, 0, 1]);
    assert.equal(s.accuracy, 3 / 5);
    assert.ok(Math.abs(s.macroF1 - 0.75 / 3) < 1e-12);
    // a 2–2 tie between 4 and 1 goes to 1: accuracy 2/4, F1(1) = 2·2/(2+4), two classes
    const tie = majorityBaseline([4, 1, 4, 1]);
    assert.equal(tie.accuracy, 0.5);
    assert.ok(Math.abs(tie.macroF1 - 4 / 6 / 2) < 1e-12);
  });

  test('argmax per row', () => {
    assert.deepEqual(argmaxRows(Float32Array.from([0.1, 0.9, 0.3, 2, -1, 0]), 2, 3), [1, 0]);
  });
});

describe('collation', () => {
  test('buckets round up to a multiple and cap at the maximum', () => {
    assert.equal(bucketLength(1, 16, 64), 16);
    assert.equal(bucketLength(17, 16, 64), 32);
    assert.equal(bucketLength(64, 16, 64), 64);
    assert.equal(bucketLength(70, 16, 100), 80);
  });

  test('labels stay aligned with their tokens, right-padded; padding rows score nothing', async () => {
    const { config } = await openModelFolder('attune-tiny-qwen2');
    const item = { id: 'a', inputIds: [5, 6, 7, 8], labels: [-100, -100, 7, 8], lastPromptIndex: 1, classes: { emotion: 3 } };
    const b = collate([item], { batch: 2, seq: 6, padId: 0 }, config, ['emotion', 'strategy']);
    assert.deepEqual([...(b.feeds[feedNames.ids] as BigInt64Array)].map(Number), [5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual([...(b.feeds[feedNames.labels] as BigInt64Array)].map(Number), [-100, -100, 7, 8, -100, -100, ...Array(6).fill(-100)]);
    // The padding row is one pad token, so no attention row is empty.
    assert.deepEqual([...(b.feeds[feedNames.mask] as BigInt64Array)].map(Number), [1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0]);
    assert.deepEqual([...(b.feeds[feedNames.lastPrompt] as BigInt64Array)].map(Number), [1, 6]);
    assert.deepEqual([...(b.feeds[feedNames.label('emotion')] as BigInt64Array)].map(Number), [3, IGNORE_INDEX]);
    assert.deepEqual([...(b.feeds[feedNames.label('strategy')] as BigInt64Array)].map(Number), [IGNORE_INDEX, IGNORE_INDEX]);
    assert.equal(b.tokens, 4);
    assert.equal(b.targetTokens, 2);
  });

  test('an example longer than its bucket is refused with its id', async () => {
    const { config } = await openModelFolder('attune-tiny-qwen2');
    const item = { id: 'long-one', inputIds: [1, 2, 3], labels: [1, 2, 3], lastPromptIndex: 0, classes: {} };
    assert.throws(() => collate([item], { batch: 1, seq: 2, padId: 0 }, config, []), /long-one.*3 tokens/);
  });
});

describe('parameter init', () => {
  test('keyed by seed and name: reproducible, independent of other parameters', () => {
    const a = initialValues('heads.x.weight', [4, 8], { kind: 'normal', std: 0.02 }, 7);
    assert.deepEqual(a, initialValues('heads.x.weight', [4, 8], { kind: 'normal', std: 0.02 }, 7));
    assert.notDeepEqual(a, initialValues('heads.y.weight', [4, 8], { kind: 'normal', std: 0.02 }, 7));
    const std = Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    assert.ok(std > 0.01 && std < 0.03, `std ${std}`);
    const u = initialValues('lora.A', [16, 64], { kind: 'uniform', bound: 0.125 }, 1);
    assert.ok(u.every((v) => Math.abs(v) <= 0.125) && u.some((v) => Math.abs(v) > 0.1));
    assert.ok(initialValues('b', [3], { kind: 'zeros' }, 1).every((v) => v === 0));
  });
});
