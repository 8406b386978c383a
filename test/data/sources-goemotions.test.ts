import { knownLabels } from '../../core/data/known-labels.js';
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { goEmotionsSource, goEmotionsOptions } from '../../plugins/sources/goemotions/index.js';
import { canonicalExampleSchema } from '../../core/data/example.js';
import { DataRowError } from '../../core/data/row-issues.js';
import { DataLayoutError } from '../../core/data/formats/index.js';
import { goEmotionsLabels, vocabularyFromSource } from '../../core/data/labels/index.js';
import { fixtureEnv, sourceFactory } from './fixture-source.js';

const env = fixtureEnv('goemotions');

const source = sourceFactory(goEmotionsSource, env);

describe('goemotions: shipped slice', () => {
  test('splits, counts and schema of the slice', async () => {
    const src = await source();
    assert.deepEqual(src.splits, ['train', 'validation', 'test']);
    const train = await src.load({ split: 'train' });
    // 3000 sampled rows, 530 of them multi-label (make-slice output).
    assert.equal(train.examples.length, 3000 - 530);
    assert.equal(train.issues.length, 0);
    for (const example of train.examples) canonicalExampleSchema.parse(example);
    const first = train.examples[0]!;
    assert.equal(first.kind, 'classify');
    assert.deepEqual(first.messages.map((m) => m.role), ['user']);
    assert.equal(knownLabels(first).emotion?.taxonomy, 'goemotions-28');
    assert.match(first.id, /^goemotions:train:[a-z0-9]+:0$/);
    assert.equal(first.provenance.row, 1);
    assert.equal(new Set(train.examples.map((e) => e.id)).size, train.examples.length);
    const dev = await src.load({ split: 'dev' });
    assert.equal(dev.examples.length, 500 - 81);
    assert.equal(dev.examples[0]!.provenance.split, 'validation');
  });

  test('multiLabel keep returns every row with all labels; limit stops early', async () => {
    const train = await (await source({ multiLabel: 'keep' })).load({ split: 'train' });
    assert.equal(train.examples.length, 3000);
    const multi = train.examples.filter((e) => (knownLabels(e).emotion?.all?.length ?? 0) > 1);
    assert.equal(multi.length, 530);
    assert.equal(knownLabels(multi[0]!).emotion!.label, knownLabels(multi[0]!).emotion!.all![0]);
    assert.equal((await (await source()).load({ split: 'test', limit: 7 })).examples.length, 7);
  });

  test('CSV-style quoting inside the TSV is unquoted', async () => {
    const train = await (await source({ multiLabel: 'keep' })).load({ split: 'train' });
    const quoted = train.examples.filter((e) => e.messages[0]!.content.includes('"'));
    assert.ok(quoted.length > 0);
    for (const e of quoted) assert.ok(!e.messages[0]!.content.includes('""'), e.messages[0]!.content);
  });

  test('Ekman mapping: 7 classes; rows whose labels share one Ekman class count as single-label', async () => {
    const ekman = await (await source({ taxonomy: 'ekman-7' })).load({ split: 'train' });
    const labels = new Set(ekman.examples.map((e) => knownLabels(e).emotion!.label));
    assert.ok([...labels].every((l) => ['anger', 'disgust', 'fear', 'joy', 'sadness', 'surprise', 'neutral'].includes(l)));
    assert.equal(knownLabels(ekman.examples[0]!).emotion!.taxonomy, 'ekman-7');
    assert.ok(ekman.examples.length > 3000 - 530);
  });

  test('vocabulary from the train split follows the published order', async () => {
    const vocab = await vocabularyFromSource(await source(), 'emotion');
    assert.equal(vocab.taxonomy, 'goemotions-28');
    assert.deepEqual(vocab.labels, goEmotionsLabels.filter((l) => vocab.has(l)));
    assert.ok(vocab.size >= 26, `only ${vocab.size} labels in the slice`);
    assert.equal((await vocabularyFromSource(await source(), 'emotion', 'canonical')).id('neutral'), 27);
  });
});

describe('goemotions: malformed rows', () => {
  test('skip: each bad row is reported with file and line, good rows load', async () => {
    const result = await (await source({ path: 'malformed/train.tsv', multiLabel: 'keep' })).load({ split: 'train' });
    assert.deepEqual(result.examples.map((e) => e.provenance.row), [1, 7, 8]);
    // Structural problems (columns, quotes) are found while reading, content problems after.
    const issues = [...result.issues].sort((a, b) => a.row - b.row);
    assert.deepEqual(issues.map((i) => i.row), [2, 3, 4, 5, 6]);
    assert.ok(issues.every((i) => i.file.endsWith('malformed/train.tsv')));
    assert.match(issues[0]!.reason, /expected 3 columns/);
    assert.match(issues[1]!.reason, /empty text/);
    assert.equal(issues[1]!.field, 'text');
    assert.match(issues[2]!.reason, /unknown label '28'/);
    assert.match(issues[3]!.reason, /unknown label 'x'/);
    assert.match(issues[4]!.reason, /unparseable line/);
    assert.deepEqual(knownLabels(result.examples[1]!).emotion!.all, ['gratitude', 'admiration']);
  });

  test('fail: the first bad row throws a located error', async () => {
    const src = await source({ path: 'malformed/train.tsv', badRows: 'fail' });
    await assert.rejects(src.load({ split: 'train' }), (e: unknown) => e instanceof DataRowError && e.issue.row === 2 && /train\.tsv, row 2/.test(e.message));
  });

  test('a missing split names the layouts and files expected', async () => {
    await assert.rejects((await source({ path: 'canary' })).load({ split: 'test' }), (e: unknown) => e instanceof DataLayoutError && /test\.tsv/.test(e.hint ?? '') && /simplified\/train-\*\.parquet|test-\*\.parquet/.test(e.hint ?? ''));
    assert.throws(() => goEmotionsSource.create(goEmotionsOptions.parse({ path: 'no-such-folder' }), env), /Data path does not exist/);
  });
});

describe('goemotions: Hugging Face layout', () => {
  test('Parquet with list<int64> labels and JSONL without ids', async () => {
    const src = await source({ path: 'hf', multiLabel: 'keep' });
    assert.deepEqual(src.splits, ['train', 'validation', 'test']);
    const train = await src.load({ split: 'train' });
    assert.equal(train.examples.length, 6);
    assert.equal(knownLabels(train.examples[2]!).emotion!.label, 'anger');
    assert.equal(train.examples[0]!.id, 'goemotions:train:eebbqej:0');
    assert.deepEqual(knownLabels(train.examples[5]!).emotion!.all, ['surprise', 'annoyance']);
    const test = await src.load({ split: 'test' });
    assert.deepEqual(test.examples.map((e) => e.id), ['goemotions:test:row1:0', 'goemotions:test:row2:0']);
    assert.equal((await (await source({ path: 'hf' })).load({ split: 'validation' })).examples.length, 1);
  });
});

describe('goemotions: no leakage', () => {
  test('labels and comment ids never reach messages unless exposed', async () => {
    const { examples } = await (await source({ path: 'canary', multiLabel: 'keep' })).load({ split: 'train' });
    assert.equal(examples.length, 3);
    for (const example of examples) {
      const text = JSON.stringify(example.messages);
      assert.ok(!text.includes('CANARY'), text);
      for (const label of knownLabels(example).emotion!.all!) assert.ok(!text.includes(label), `${label} in ${text}`);
    }
    const exposed = await (await source({ path: 'canary', exposeMetadata: ['commentId'] })).load({ split: 'train' });
    assert.equal(exposed.examples[0]!.messages[0]!.role, 'system');
    assert.match(exposed.examples[0]!.messages[0]!.content, /commentId: CANARY_ID_ALPHA/);
  });
});
