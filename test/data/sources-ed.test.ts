import { knownLabels } from '../../core/data/known-labels.js';
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { edSource } from '../../plugins/sources/ed/index.js';
import { canonicalExampleSchema } from '../../core/data/example.js';
import { DataRowError } from '../../core/data/row-issues.js';
import { DataLayoutError } from '../../core/data/formats/index.js';
import { ed32Labels, vocabularyFromSource } from '../../core/data/labels/index.js';
import { fixtureEnv, sourceFactory } from './fixture-source.js';

const source = sourceFactory(edSource, fixtureEnv('ed'));

describe('ed: shipped slice', () => {
  test('conversation-level seeded split: counts, no conversation in two splits, schema', async () => {
    const src = await source();
    assert.deepEqual(src.splits, ['train', 'validation', 'test']);
    const convs: Record<string, Set<string>> = {};
    const counts: Record<string, number> = {};
    for (const split of src.splits) {
      const { examples, issues } = await src.load({ split });
      assert.equal(issues.length, 0);
      counts[split] = examples.length;
      convs[split] = new Set(examples.map((e) => e.provenance.dialogId!));
      for (const example of examples) {
        canonicalExampleSchema.parse(example);
        assert.equal(example.messages.at(-1)!.role, 'assistant');
        assert.equal(example.messages[0]!.role, 'user');
        assert.ok((ed32Labels as readonly string[]).includes(knownLabels(example).emotion!.label));
        assert.equal(example.id, `ed:${split}:${example.provenance.dialogId}:${example.provenance.turn}`);
        assert.ok(!JSON.stringify(example.messages).includes('_comma_'));
      }
    }
    assert.deepEqual(counts, { train: 42, validation: 11, test: 11 });
    // 20/5/5 conversations; train's hit:6_conv:13 has a single utterance and no listener turn.
    assert.deepEqual([convs.train!.size, convs.validation!.size, convs.test!.size], [19, 5, 5]);
    assert.ok(!convs.train!.has('hit:6_conv:13'));
    for (const id of convs.validation!) assert.ok(!convs.train!.has(id) && !convs.test!.has(id));
  });

  test('an example is a listener turn with every turn before it; provenance points at its row', async () => {
    const { examples } = await (await source()).load({ split: 'train', limit: 2 });
    const second = examples[1]!;
    assert.equal(second.id, 'ed:train:hit:0_conv:1:3');
    assert.deepEqual(second.messages.map((m) => m.role), ['user', 'assistant', 'user', 'assistant']);
    assert.equal(second.messages[1]!.content, 'Was this a friend you were in love with, or just a best friend?');
    assert.equal(second.provenance.row, 5);
    assert.match(String(second.metadata.situation), /^I remember going to the fireworks/);
  });

  test('last-helper-turn: one example per conversation; GoEmotions labels via the mapping', async () => {
    assert.equal((await (await source({ expansion: 'last-helper-turn' })).load({ split: 'train' })).examples.length, 19);
    const mapped = await (await source({ emotionLabels: 'goemotions-28' })).load({ split: 'train', limit: 1 });
    assert.deepEqual(knownLabels(mapped.examples[0]!).emotion, { taxonomy: 'goemotions-28', label: 'love' });
  });

  test('emotion vocabulary from train: ED order, observed labels only', async () => {
    const vocab = await vocabularyFromSource(await source(), 'emotion');
    assert.equal(vocab.taxonomy, 'ed-32');
    assert.equal(vocab.size, 14);
    assert.deepEqual(vocab.labels, ed32Labels.filter((l) => vocab.has(l)));
  });
});

describe('ed: malformed rows', () => {
  test('skip: each bad row is located; its conversation is dropped; stray quotes are text', async () => {
    const result = await (await source({ path: 'malformed' })).load({ split: 'train' });
    const issues = [...result.issues].sort((a, b) => a.row - b.row);
    assert.deepEqual(issues.map((i) => [i.row, i.field]), [
      [6, undefined],
      [7, 'utterance_idx'],
      [8, 'context'],
      [9, 'context'],
      [11, 'utterance'],
      [12, 'utterance_idx'],
    ]);
    assert.match(issues[0]!.reason, /expected 8 columns.*got 9/);
    assert.match(issues[1]!.reason, /hit:2_conv:3 is incomplete/);
    assert.match(issues[2]!.reason, /unknown emotion label 'happyish'/);
    assert.match(issues[4]!.reason, /empty text/);
    assert.deepEqual(result.examples.map((e) => e.id), ['ed:train:hit:1_conv:2:1', 'ed:train:hit:1_conv:2:3', 'ed:train:hit:6_conv:7:1']);
    assert.equal(result.examples[1]!.messages.at(-1)!.content, '"Ha, cats are good at that.');
    assert.equal(result.examples[2]!.metadata.tags, '<HI>');
  });

  test('fail: the first bad row throws a located error', async () => {
    await assert.rejects((await source({ path: 'malformed', badRows: 'fail' })).load({ split: 'train' }), (e: unknown) => e instanceof DataRowError && e.issue.row === 6 && /train\.csv, row 6/.test(e.message));
  });

  test('a missing split names the expected layout', async () => {
    await assert.rejects((await source({ path: 'malformed' })).load({ split: 'valid' }), (e: unknown) => e instanceof DataLayoutError && /valid\.csv/.test(e.hint ?? '') && /validation\.parquet/.test(e.hint ?? ''));
  });
});

describe('ed: other layouts', () => {
  test('ED-v2 pairs: history alternates back from the speaker turn; bad rows located', async () => {
    const result = await (await source({ path: 'v2/train.csv' })).load({ split: 'train' });
    assert.deepEqual(result.examples.map((e) => e.messages.map((m) => m.role).join(',')), [
      'user,assistant',
      'user,assistant,user,assistant',
      'user,assistant,user,assistant',
    ]);
    assert.equal(result.examples[1]!.messages[2]!.content, "I panicked at the roundabout and couldn't stop.");
    assert.equal(result.examples[2]!.messages[0]!.content, "My sister's wedding is next week!");
    assert.equal(knownLabels(result.examples[0]!).emotion!.label, 'disappointed');
    assert.equal(result.examples[1]!.id, 'ed:train:1:3');
    assert.equal(result.examples[1]!.metadata.behavior, 'reassuring');
    assert.deepEqual(result.issues.map((i) => [i.row, i.field]), [
      [5, 'emotion'],
      [6, 'chat_history'],
    ]);
    await assert.rejects((await source({ path: 'v2/train.csv', badRows: 'fail' })).load({ split: 'train' }), DataRowError);
  });

  test('Hugging Face folder: Parquet with integer columns, JSONL with a list history', async () => {
    const src = await source({ path: 'hf' });
    assert.deepEqual(src.splits, ['train', 'validation']);
    const train = await src.load({ split: 'train' });
    assert.deepEqual(train.examples.map((e) => e.id), ['ed:train:hit:7_conv:8:1', 'ed:train:hit:7_conv:8:3']);
    assert.equal(train.examples[0]!.messages[0]!.content, 'I found my old diary from high school, so many memories.');
    const validation = await src.load({ split: 'validation' });
    assert.deepEqual(validation.examples[0]!.messages, [
      { role: 'user', content: 'I got the job!' },
      { role: 'assistant', content: 'Congratulations, you earned it.' },
    ]);
  });
});

describe('ed: no leakage', () => {
  test('emotion, situation, selfeval and tags never reach messages unless exposed', async () => {
    const { examples } = await (await source({ path: 'canary' })).load({ split: 'train' });
    assert.equal(examples.length, 2);
    for (const example of examples) {
      const text = JSON.stringify(example.messages);
      assert.ok(!text.includes('CANARY'), text);
      assert.ok(!text.includes(knownLabels(example).emotion!.label), text);
      assert.equal(example.metadata.situation, 'CANARY_SITUATION');
    }
    const exposed = await (await source({ path: 'canary', exposeMetadata: ['situation'] })).load({ split: 'train' });
    const system = exposed.examples[0]!.messages[0]!;
    assert.equal(system.role, 'system');
    assert.match(system.content, /situation: CANARY_SITUATION/);
    assert.ok(!system.content.includes('CANARY_SELFEVAL'));
  });
});
