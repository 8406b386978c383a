import { knownLabels } from '../../core/data/known-labels.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import wassa from '../../plugins/sources/wassa/index.js';
import { canonicalExampleSchema } from '../../core/data/example.js';
import { DataRowError } from '../../core/data/row-issues.js';
import { fixtureEnv, sourceFactory } from './fixture-source.js';

const warnings: string[] = [];
const env = fixtureEnv('wassa', (message) => warnings.push(message));

const source = sourceFactory(wassa, env);

describe('wassa source on the shipped slice', () => {
  test('2024 release by default: three labelled splits with the slice counts', async () => {
    const src = await source();
    assert.deepEqual(src.splits, ['train', 'validation', 'test']);
    const counts: Record<string, number> = {};
    for (const split of src.splits) {
      const { examples, issues } = await src.load({ split });
      assert.equal(issues.length, 0, `slice ${split} has no malformed rows`);
      counts[split] = examples.length;
      for (const example of examples) {
        canonicalExampleSchema.parse(example);
        assert.equal(example.kind, 'classify');
        assert.equal(example.messages.length, 1);
        assert.equal(example.messages[0]!.role, 'user');
        assert.equal(example.metadata.release, '2024');
        assert.match(String(example.metadata.speaker), /^Person [12]$/);
        assert.equal(example.id, `wassa:${split}:${example.provenance.dialogId}:${example.provenance.turn}`);
        const scores = knownLabels(example).scores ?? {};
        assert.ok(Object.keys(scores).length > 0, `${example.id} has scores`);
        for (const [key, value] of Object.entries(scores)) assert.ok(value >= 0 && value <= (key === 'emotionalPolarity' ? 2 : 5));
      }
      assert.equal(new Set(examples.map((e) => e.id)).size, examples.length, 'ids are unique');
    }
    assert.deepEqual(counts, { train: 249, validation: 120, test: 152 });
  });

  test('backslash-escaped quotes of the 2024 CSVs become plain quotes', async () => {
    const { examples } = await (await source()).load({ split: 'validation' });
    const texts = examples.map((e) => e.messages[0]!.content);
    assert.ok(texts.some((t) => t.includes('"')), 'some turn quotes someone');
    assert.ok(texts.every((t) => !t.includes('\\"')), 'no escape character is left in the text');
  });

  test('2023 release: turns re-sorted numerically, unlabelled test split only on request', async () => {
    const src = await source({ release: '2023' });
    assert.deepEqual(src.splits, ['train', 'validation']);
    await assert.rejects(src.load({ split: 'test' }), /no gold labels.*keepUnlabelled/);
    const { examples } = await src.load({ split: 'train' });
    assert.equal(examples.length, 203);
    assert.ok(examples.every((e) => e.metadata.release === '2023'));
    for (let i = 1; i < examples.length; i++) {
      const [a, b] = [examples[i - 1]!.provenance, examples[i]!.provenance];
      if (a.dialogId === b.dialogId) assert.ok(a.turn! < b.turn!, `turn ${a.turn} before ${b.turn}`);
    }
    const withTest = await source({ release: '2023', keepUnlabelled: true });
    assert.deepEqual(withTest.splits, ['train', 'validation', 'test']);
    const test2023 = await withTest.load({ split: 'test' });
    assert.equal(test2023.examples.length, 90);
    assert.ok(test2023.examples.every((e) => knownLabels(e).scores === undefined));
  });

  test('limit keeps the first examples in file order', async () => {
    const { examples } = await (await source()).load({ split: 'train', limit: 5 });
    assert.equal(examples.length, 5);
    assert.deepEqual(examples.map((e) => e.provenance.turn), [0, 1, 2, 3, 4]);
  });
});

describe('wassa column order and gold files', () => {
  test('2023 gold columns are polarity, emotion, empathy; ids like 35.0 become 35', async () => {
    const src = await source({ path: 'release2023' });
    assert.deepEqual(src.splits, ['validation']);
    const { examples } = await src.load({ split: 'validation' });
    assert.deepEqual(examples.map((e) => e.messages[0]!.content), ['first turn', 'second turn', 'third turn', 'eleventh turn']);
    assert.deepEqual(knownLabels(examples[0]!).scores, { emotionalPolarity: 2, emotion: 4.5, empathy: 1 });
    assert.deepEqual(knownLabels(examples[2]!).scores, { emotionalPolarity: 0.3333, emotion: 2.3333, empathy: 5 });
    assert.equal(knownLabels(examples[3]!).scores?.emotion, 3, 'turn 10 keeps the gold row it was aligned with');
    assert.equal(examples[0]!.metadata.articleId, '35');
    assert.equal(examples[0]!.metadata.speakerId, '68');
    assert.equal(examples[1]!.metadata.speaker, 'Person 2');
  });

  test('a single original file finds its gold file beside it', async () => {
    const src = await source({ path: 'release2023/WASSA23_conv_level_dev.tsv' });
    const { examples } = await src.load({ split: 'validation' });
    assert.equal(examples.length, 4);
    assert.equal(knownLabels(examples[0]!).scores?.emotion, 4.5);
  });

  test('a malformed data row keeps its gold row, so the rows after it keep theirs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attune-wassa-'));
    const data = [
      'conversation_id\tturn_id\ttext\tspeaker_number\tarticle_id\tspeaker_id\tessay_id',
      '9\t0\tfirst turn\t1\t35.0\t68.0\t0.0',
      '9\t1\ttoo few columns',
      '',
      '9\t2\tthird turn\t1\t35.0\t68.0\t0.0',
    ];
    writeFileSync(join(dir, 'WASSA23_conv_level_dev.tsv'), `${data.join('\n')}\n`);
    writeFileSync(join(dir, 'goldstandard_CONV_dev.tsv'), '2.0\t4.5\t1.0\n0.0\t1.0\t0.5\n1.0\t3.0\t2.0\n');
    const { examples, issues } = await (await source({ path: dir })).load({ split: 'validation' });
    assert.deepEqual(examples.map((e) => [e.messages[0]!.content, knownLabels(e).scores?.emotion, e.provenance.row]), [
      ['first turn', 4.5, 2],
      ['third turn', 3, 5],
    ]);
    assert.deepEqual(issues.map((i) => [i.file, i.row]), [[join(dir, 'WASSA23_conv_level_dev.tsv'), 3]]);
  });

  test('a gold file that is not row-aligned is rejected', async () => {
    const src = await source({ path: 'misaligned2023' });
    await assert.rejects(src.load({ split: 'validation' }), /goldstandard_CONV_dev\.tsv has 3 rows but its data file has 4/);
  });
});

describe('wassa Hugging Face Parquet folder', () => {
  test('int64 ids and null scores: missing scores are left out', async () => {
    const src = await source({ path: 'hf-parquet' });
    assert.deepEqual(src.splits, ['train']);
    const { examples } = await src.load({ split: 'train' });
    assert.deepEqual(examples.map((e) => e.id), ['wassa:train:5:0', 'wassa:train:5:1']);
    assert.deepEqual(knownLabels(examples[1]!).scores, { emotion: 3.6667, emotionalPolarity: 2 });
    assert.equal(examples[1]!.metadata.release, 'unknown');
  });
});

describe('wassa Hugging Face folder layouts', () => {
  const row = (conversation: string, turn: number) =>
    JSON.stringify({ conversation_id: conversation, turn_id: turn, text: `turn ${turn} of ${conversation}`, Emotion: 2, EmotionalPolarity: 1, Empathy: 3 });

  test('shards under data/ load as one split in order; dev means validation; a single file is named for its split', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attune-wassa-hf-'));
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'train-00001-of-00002.jsonl'), `${row('b', 0)}\n`);
    writeFileSync(join(dir, 'data', 'train-00000-of-00002.jsonl'), `${row('a', 0)}\n${row('a', 1)}\n`);
    writeFileSync(join(dir, 'dev.jsonl'), `${row('c', 0)}\n`);
    const src = await source({ path: dir });
    assert.deepEqual(src.splits, ['train', 'validation']);
    const train = await src.load({ split: 'train' });
    assert.deepEqual(train.examples.map((e) => e.id), ['wassa:train:a:0', 'wassa:train:a:1', 'wassa:train:b:0']);
    assert.deepEqual(train.files, [join(dir, 'data', 'train-00000-of-00002.jsonl'), join(dir, 'data', 'train-00001-of-00002.jsonl')]);
    assert.equal((await src.load({ split: 'validation' })).examples[0]!.id, 'wassa:validation:c:0');
    const single = await source({ path: join(dir, 'dev.jsonl') });
    assert.deepEqual(single.splits, ['validation']);
  });
});

describe('wassa malformed rows', () => {
  test('skip: every bad row is reported with file, 1-based line and reason', async () => {
    const { examples, issues } = await (await source({ path: 'malformed2024' })).load({ split: 'train' });
    assert.deepEqual(
      examples.map((e) => e.messages[0]!.content),
      ['He said "deal with it" and left.', "That sounds awful, I'm sorry.", 'A second conversation,\nspanning two lines.'],
    );
    const located = issues.map((i) => [i.row, i.field ?? '', i.reason.split(' ').slice(0, 2).join(' ')]);
    assert.deepEqual(located, [
      [4, '', 'expected 12'],
      [5, 'text', 'empty text'],
      [6, 'emotionalpolarity', 'unparseable number'],
      [7, 'emotionalpolarity', 'emotionalPolarity 2.6667'],
      [8, 'turn_id', 'unparseable turn'],
      [9, 'turn_id', 'duplicate turn'],
    ]);
    assert.ok(issues.every((i) => i.file === 'malformed2024/trac2_CONVT_train.csv'));
    assert.equal(examples[2]!.provenance.row, 10, 'a multi-line record is located by its first line');
  });

  test('fail: the first bad row throws a located error', async () => {
    const src = await source({ path: 'malformed2024', badRows: 'fail' });
    await assert.rejects(src.load({ split: 'train' }), (error: unknown) => {
      assert.ok(error instanceof DataRowError);
      assert.match(error.message, /malformed2024\/trac2_CONVT_train\.csv, row 4.*expected 12 columns/);
      return true;
    });
  });

  test('bad JSON lines are located; a missing path names the expected layouts', async () => {
    const { examples, issues } = await (await source({ path: 'hf-canary' })).load({ split: 'train' });
    assert.equal(examples.length, 2);
    assert.deepEqual(issues.map((i) => [i.file, i.row]), [['hf-canary/train.jsonl', 3]]);
    assert.match(issues[0]!.reason, /invalid JSON/);
    await assert.rejects(async () => source({ path: 'no-such-folder' }), /WASSA data not found.*trac2_CONVT_train\.csv.*WASSA23_conv_level_with_labels_train\.tsv.*Hugging Face/);
    await assert.rejects((await source()).load({ split: 'dev' }), /no 'dev' split.*available: train, validation, test/);
  });
});

describe('wassa leakage', () => {
  const canaries = ['convCANARYa1', 'artCANARYb2', 'pidCANARYc3', 'pidCANARYd4', '3.14159', '1.41421', '2.71828', '4.66921', '1.61803', '4.81047'];

  test('labels and metadata never reach messages by default', async () => {
    const { examples } = await (await source({ path: 'hf-canary' })).load({ split: 'train' });
    assert.equal(examples[0]!.metadata.conversationId, 'convCANARYa1', 'the canaries are in the metadata');
    assert.equal(knownLabels(examples[0]!).scores?.emotion, 3.14159, 'and in the labels');
    const text = JSON.stringify(examples.map((e) => e.messages));
    for (const canary of canaries) assert.ok(!text.includes(canary), `${canary} leaked into messages`);
  });

  test('exposeMetadata opts a key in, as a system message, and nothing else', async () => {
    const { examples } = await (await source({ path: 'hf-canary', exposeMetadata: ['articleId'] })).load({ split: 'train' });
    const [system, user] = examples[0]!.messages;
    assert.equal(system?.role, 'system');
    assert.match(system!.content, /articleId: artCANARYb2/);
    assert.equal(user?.role, 'user');
    const text = JSON.stringify(examples.map((e) => e.messages));
    for (const canary of canaries.filter((c) => c !== 'artCANARYb2')) assert.ok(!text.includes(canary), `${canary} leaked`);
  });
});
