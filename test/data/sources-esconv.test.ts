import { knownLabels } from '../../core/data/known-labels.js';
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { esconvSource } from '../../plugins/sources/esconv/index.js';
import { canonicalExampleSchema } from '../../core/data/example.js';
import { DataRowError } from '../../core/data/row-issues.js';
import { DataLayoutError } from '../../core/data/formats/index.js';
import { esconvStrategies, vocabularyFromSource } from '../../core/data/labels/index.js';
import { fixtureEnv, sourceFactory } from './fixture-source.js';

const source = sourceFactory(esconvSource, fixtureEnv('esconv'));

describe('esconv: shipped slice', () => {
  test('splits, counts, schema, ids and provenance', async () => {
    const src = await source();
    assert.deepEqual(src.splits, ['train', 'validation', 'test']);
    const counts: Record<string, number> = {};
    for (const split of src.splits) {
      const { examples, issues } = await src.load({ split });
      assert.equal(issues.length, 0);
      counts[split] = examples.length;
      for (const example of examples) {
        canonicalExampleSchema.parse(example);
        assert.equal(example.kind, 'dialogue');
        assert.equal(example.messages.at(-1)!.role, 'assistant');
        assert.equal(example.messages[0]!.role, 'user');
        assert.ok((esconvStrategies as readonly string[]).includes(knownLabels(example).strategy!));
        assert.equal(example.id, `esconv:${split}:${example.provenance.dialogId}:${example.provenance.turn}`);
        assert.equal(typeof example.metadata.situation, 'string');
      }
      assert.equal(new Set(examples.map((e) => e.id)).size, examples.length);
    }
    // Supporter turns after merging consecutive supporter turns (100/25/25 dialogs).
    assert.deepEqual(counts, { train: 1139, validation: 260, test: 299 });
  });

  test('last-helper-turn gives one example per dialog; history trimming keeps the target', async () => {
    const last = await (await source({ expansion: 'last-helper-turn' })).load({ split: 'validation' });
    assert.equal(last.examples.length, 25);
    const trimmed = await (await source({ maxHistoryTurns: 2 })).load({ split: 'train', limit: 50 });
    assert.equal(trimmed.examples.length, 50);
    for (const e of trimmed.examples) assert.ok(e.messages.length <= 3);
  });

  test('strategy vocabulary from train is the 8 normalized strategies in paper order', async () => {
    const vocab = await vocabularyFromSource(await source(), 'strategy');
    assert.deepEqual(vocab.labels, esconvStrategies);
    assert.equal(vocab.id('Others'), 7);
  });

  test('survey scores become numbers in metadata', async () => {
    const { examples } = await (await source()).load({ split: 'train', limit: 1 });
    assert.equal(typeof examples[0]!.metadata.seeker_initial_emotion_intensity, 'number');
  });
});

describe('esconv: malformed rows', () => {
  test('skip: every bad dialog is reported with file, line and field; good dialogs load', async () => {
    const result = await (await source({ path: 'malformed/train.json' })).load({ split: 'train' });
    const issues = [...result.issues].sort((a, b) => a.row - b.row);
    assert.deepEqual(issues.map((i) => [i.row, i.field]), [
      [2, undefined],
      [3, 'dialog[1].strategy'],
      [4, 'dialog[1].text'],
      [5, 'dialog[1].speaker'],
      [6, 'dialog'],
      [7, 'dialog[1].strategy'],
    ]);
    assert.match(issues[0]!.reason, /invalid JSON/);
    assert.match(issues[1]!.reason, /unknown strategy 'Hugging'/);
    assert.match(issues[2]!.reason, /empty text/);
    assert.match(issues[5]!.reason, /without a strategy/);
    // Row 1: two supporter turns merged into one target (later strategy wins); row 8 opens with a supporter turn.
    assert.deepEqual(result.examples.map((e) => [e.provenance.row, e.provenance.turn, knownLabels(e).strategy]), [
      [1, 1, 'Question'],
      [1, 3, 'Providing Suggestions'],
      [8, 2, 'Affirmation and Reassurance'],
    ]);
    assert.equal(result.examples[1]!.messages.at(-1)!.content, 'That sounds stressful.\nHave you updated your resume?');
  });

  test('fail: the first bad row throws a located error', async () => {
    await assert.rejects((await source({ path: 'malformed/train.json', badRows: 'fail' })).load({ split: 'train' }), (e: unknown) => e instanceof DataRowError && e.issue.row === 2);
  });

  test('a folder without the split names the expected files', async () => {
    await assert.rejects((await source({ path: 'canary' })).load({ split: 'validation' }), (e: unknown) => e instanceof DataLayoutError && /valid\.json/.test(e.hint ?? '') && /ESConv\.json/.test(e.hint ?? ''));
  });
});

describe('esconv: other layouts', () => {
  test('original ESConv.json (folder) and FailedESConv.json (file): spellings normalized', async () => {
    const original = await source({ path: 'original' });
    assert.deepEqual(original.splits, ['train']);
    const { examples } = await original.load({ split: 'train' });
    assert.deepEqual(examples.map((e) => knownLabels(e).strategy), ['Question', 'Others', 'Affirmation and Reassurance']);
    assert.equal(examples[0]!.messages[0]!.content, 'I have been feeling lonely lately.');
    assert.equal(examples[2]!.id, 'esconv:train:ESConv-2:1');
    const failed = await (await source({ path: 'original/FailedESConv.json' })).load({ split: 'train' });
    assert.deepEqual(failed.examples.map((e) => knownLabels(e).strategy), ['Providing Suggestions']);
  });

  test('HF text-column rows: Parquet and JSONL, bad inner JSON reported', async () => {
    const src = await source({ path: 'hf-text' });
    assert.deepEqual(src.splits, ['train', 'test']);
    assert.equal((await src.load({ split: 'train' })).examples.length, 3);
    const test = await src.load({ split: 'test' });
    assert.equal(test.examples.length, 2);
    assert.deepEqual(test.issues.map((i) => [i.row, i.field]), [[2, 'text']]);
  });
});

describe('esconv: no leakage', () => {
  test('labels and dialog metadata never reach messages unless exposed', async () => {
    const { examples } = await (await source({ path: 'canary' })).load({ split: 'train' });
    assert.equal(examples.length, 2);
    for (const example of examples) {
      const text = JSON.stringify(example.messages);
      assert.ok(!text.includes('CANARY'), text);
      assert.ok(!text.includes(knownLabels(example).strategy!), text);
      assert.equal(example.metadata.situation, 'CANARY_SITUATION');
    }
    const exposed = await (await source({ path: 'canary', exposeMetadata: ['situation'] })).load({ split: 'train' });
    const system = exposed.examples[0]!.messages[0]!;
    assert.equal(system.role, 'system');
    assert.match(system.content, /situation: CANARY_SITUATION/);
    assert.ok(!system.content.includes('CANARY_EMOTION'));
  });
});
