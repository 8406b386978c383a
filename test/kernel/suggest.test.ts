import assert from 'node:assert/strict';
import { test } from 'node:test';
import { editDistance, suggest } from '../../core/base/suggest.js';

test('edit distance', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('same', 'same'), 0);
});

test('suggestions find typos and bare item names, best first, and nothing for unrelated input', () => {
  const names = ['sources/ed', 'sources/esconv', 'sources/goemotions', 'trainers/sft'];
  assert.deepEqual(suggest('sources/escnov', names), ['sources/esconv']);
  assert.equal(suggest('ed', names)[0], 'sources/ed');
  assert.deepEqual(suggest('goemotion', names), ['sources/goemotions']);
  assert.deepEqual(suggest('zzzzzzzz', names), []);
});
