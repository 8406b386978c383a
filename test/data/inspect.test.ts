import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CanonicalExample } from '../../core/data/example.js';
import { checkLeakage } from '../../core/data/inspect/leakage.js';
import { lengthStats } from '../../core/data/inspect/length-stats.js';
import { inspectSplit } from '../../core/data/inspect/inspect-split.js';

const example = (over: Partial<CanonicalExample>): CanonicalExample => ({
  id: 'x',
  kind: 'dialogue',
  messages: [
    { role: 'user', content: 'I was so sad when my dog died last week.' },
    { role: 'assistant', content: 'I am sorry.' },
  ],
  labels: { emotion: { taxonomy: 'ed-32', label: 'sad' } },
  metadata: { situation: 'My dog died last week and I miss him terribly.' },
  provenance: { source: 't', split: 'train', file: 'f', row: 1 },
  ...over,
});

describe('leakage check', () => {
  test('a label word in ordinary conversation text is not a leak', () => {
    assert.deepEqual(checkLeakage([example({})]).leaks, {});
  });

  test('a speaker retelling their situation is echoed, not a leak', () => {
    const retold = example({ messages: [{ role: 'user', content: 'So: my dog died last week and I miss him terribly.' }] });
    const report = checkLeakage([retold]);
    assert.deepEqual(report.leaks, {});
    assert.deepEqual(report.echoed, { 'metadata.situation': 1 });
  });

  test('a distinctive metadata value inside a system message is a leak, unless exposed on purpose', () => {
    const leaky = example({
      messages: [
        { role: 'system', content: 'Context: my dog died last week and I miss him terribly.' },
        { role: 'user', content: 'hi' },
      ],
    });
    assert.deepEqual(checkLeakage([leaky]).leaks, { 'metadata.situation': 1 });
    assert.deepEqual(checkLeakage([leaky], ['situation']).leaks, {});
  });

  test('a label inside a system message is a leak', () => {
    const leaky = example({ messages: [{ role: 'system', content: 'The user feels sad.' }, { role: 'user', content: 'hi' }] });
    assert.equal(checkLeakage([leaky]).leaks['labels.emotion'], 1);
  });
});

describe('split report', () => {
  test('length stats use power-of-two buckets and exact quantiles', () => {
    const stats = lengthStats([1, 2, 3, 4, 100]);
    assert.equal(stats.p50, 3);
    assert.equal(stats.max, 100);
    assert.deepEqual(stats.histogram, [
      { upTo: 16, count: 4 },
      { upTo: 32, count: 0 },
      { upTo: 64, count: 0 },
      { upTo: 128, count: 1 },
    ]);
  });

  test('counts labels and tokens; samples show roles and lengths, never label values', () => {
    const report = inspectSplit('t', 'train', [example({}), example({ id: 'y', labels: { strategy: 'Question' } })], [{ file: 'f.csv', row: 7, reason: 'empty text' }], {
      tokenizer: { countChatTokens: (messages) => messages.length * 10 },
    });
    assert.deepEqual(report.labels, { 'emotion (ed-32)': { sad: 1 }, strategy: { Question: 1 } });
    assert.equal(report.tokens?.mean, 20);
    assert.deepEqual(report.badRows.byReason, [{ reason: 'empty text', count: 1, examples: ['f.csv:7'] }]);
    assert.doesNotMatch(JSON.stringify(report.samples), /sad|Question|dog/);
  });
});
