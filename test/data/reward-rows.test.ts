import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CanonicalExample } from '../../core/data/example.js';
import { classRows, preferenceRows, relevanceRows, scoreRows } from '../../core/data/reward-rows/index.js';

function example(id: string, over: Partial<CanonicalExample> = {}): CanonicalExample {
  return { id, kind: 'classify', messages: [{ role: 'user', content: `text of ${id}` }], labels: {}, metadata: {}, provenance: { source: 's', split: 'train', file: 'f.jsonl', row: Number(id.replace(/\D/g, '')) || 1 }, ...over };
}

function turn(id: string, dialog: string, user: string, reply: string): CanonicalExample {
  return example(id, { kind: 'dialogue', messages: [{ role: 'user', content: 'earlier' }, { role: 'assistant', content: 'ok' }, { role: 'user', content: user }, { role: 'assistant', content: reply }], provenance: { source: 'esconv', split: 'train', file: 'f', row: 1, dialogId: dialog } });
}

describe('reward rows', () => {
  test('scores: the value at the label path; examples without it are skipped and counted', () => {
    const rows = scoreRows([example('r1', { labels: { scores: { empathy: 2.5 } } }), example('r2', { labels: {} }), example('r3', { labels: { scores: { empathy: 0 } } })], 'scores.empathy');
    assert.equal(rows.task, 'regression');
    assert.deepEqual(rows.rows.map((r) => [r.id, 'target' in r ? r.target : null]), [['r1', 2.5], ['r3', 0]]);
    assert.equal(rows.skipped, 1);
    assert.deepEqual(rows.labels, ['empathy']);
    assert.deepEqual('input' in rows.rows[0]! ? rows.rows[0].input : null, { text: 'text of r1' });
  });

  test('a label of the wrong type names the file, row and path', () => {
    assert.throws(() => scoreRows([example('r7', { labels: { emotion: { taxonomy: 't', label: 'sad' } } })], 'emotion.label'), /f\.jsonl, row 7 \(r7\): label 'emotion\.label' is "sad"; a finite number is expected/);
    assert.throws(() => classRows([example('r2', { labels: { scores: { empathy: 1 } } })], 'scores.empathy'), /row 2 .*a string is expected/);
  });

  test('classes: sorted train values by default, a given order kept, unknown classes skipped', () => {
    const examples = ['joy', 'anger', 'joy', 'fear'].map((l, i) => example(`c${i + 1}`, { labels: { strategy: l } }));
    const rows = classRows(examples, 'strategy');
    assert.deepEqual(rows.labels, ['anger', 'fear', 'joy']);
    assert.deepEqual(rows.rows.map((r) => ('target' in r ? r.target : -1)), [2, 0, 2, 1]);
    const fixed = classRows(examples, 'strategy', ['joy', 'anger']);
    assert.deepEqual(fixed.rows.map((r) => ('target' in r ? r.target : -1)), [0, 1, 0]);
    assert.equal(fixed.skipped, 1);
  });

  test('relevance: the real reply is 1, replies from other conversations are 0, seeded and order-free', () => {
    const turns = [turn('t1', 'A', 'I lost my job', 'That must be a shock.'), turn('t2', 'A', 'And my cat', 'Two losses at once.'), turn('t3', 'B', 'Exams soon', 'You sound stressed.'), turn('t4', 'C', 'Moving house', 'A big change.')];
    const rows = relevanceRows(turns, { negatives: 2, seed: 4 });
    assert.equal(rows.task, 'binary');
    assert.equal(rows.rows.length, 12);
    const positives = rows.rows.filter((r) => 'target' in r && r.target === 1);
    assert.deepEqual(positives.map((r) => ('input' in r ? r.input : null)), turns.map((t) => ({ text: t.messages[2]!.content, pair: t.messages[3]!.content })));
    const dialogOf = new Map(turns.map((t) => [t.messages[3]!.content, t.provenance.dialogId]));
    for (const r of rows.rows) {
      if (!('input' in r) || r.target !== 0) continue;
      const own = turns.find((t) => r.id.startsWith(`${t.id}~`))!;
      assert.notEqual(dialogOf.get(r.input.pair!), own.provenance.dialogId, `${r.id} pairs a reply from its own conversation`);
      assert.equal(r.input.text, own.messages[2]!.content);
    }
    const reversed = relevanceRows([...turns].reverse(), { negatives: 2, seed: 4 });
    const key = (rs: ReturnType<typeof relevanceRows>) => rs.rows.map((r) => `${r.id}:${'input' in r ? r.input.pair : ''}`).sort();
    assert.deepEqual(key(reversed), key(rows), 'negatives depend on the seed and the example, not the order');
    assert.notDeepEqual(key(relevanceRows(turns, { negatives: 2, seed: 5 })), key(rows), 'another seed draws other negatives');
  });

  test('preference: (last user turn, chosen) over (last user turn, rejected); other kinds are skipped', () => {
    const pref = example('p1', { kind: 'preference', messages: [{ role: 'user', content: 'How do I cope?' }], preference: { chosen: 'Gently.', rejected: 'Just stop.' } });
    const rows = preferenceRows([pref, example('x2')]);
    assert.deepEqual(rows.rows, [{ id: 'p1', chosen: { text: 'How do I cope?', pair: 'Gently.' }, rejected: { text: 'How do I cope?', pair: 'Just stop.' } }]);
    assert.equal(rows.skipped, 1);
  });
});
