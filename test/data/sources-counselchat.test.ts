import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import counselchat from '../../plugins/sources/counselchat/index.js';
import { repairAnswerText } from '../../plugins/sources/counselchat/clean-text.js';
import { canonicalExampleSchema } from '../../core/data/example.js';
import { DataRowError } from '../../core/data/row-issues.js';
import { DataLayoutError } from '../../core/data/formats/index.js';
import { fixtureEnv, sourceFactory } from './fixture-source.js';

const source = sourceFactory(counselchat, fixtureEnv('counselchat'));

describe('counselchat source on the shipped slice', () => {
  test('the split column defines train/validation/test; examples are question → answer dialogues', async () => {
    const src = await source();
    assert.deepEqual(src.splits, ['train', 'validation', 'test']);
    const counts: Record<string, number> = {};
    for (const split of src.splits) {
      const { examples, issues, files } = await src.load({ split });
      assert.equal(issues.length, 0);
      assert.deepEqual(files, ['plugins/sources/counselchat/slice/20200325_counsel_chat.csv']);
      counts[split] = examples.length;
      for (const example of examples) {
        canonicalExampleSchema.parse(example);
        assert.equal(example.kind, 'dialogue');
        assert.deepEqual(example.messages.map((m) => m.role), ['user', 'assistant']);
        assert.equal(example.provenance.split, split);
        assert.equal(example.id, `counselchat:${split}:${example.provenance.dialogId}:${example.provenance.turn}`);
        assert.equal(typeof example.metadata.upvotes, 'number');
        assert.equal(typeof example.metadata.topic, 'string');
      }
      assert.equal(new Set(examples.map((e) => e.id)).size, examples.length);
    }
    assert.deepEqual(counts, { train: 188, validation: 32, test: 67 });
  });

  test("'val' is accepted for validation and examples are named validation", async () => {
    const src = await source();
    const viaVal = await src.load({ split: 'val' });
    const viaValidation = await src.load({ split: 'validation' });
    assert.deepEqual(viaVal.examples, viaValidation.examples);
    assert.ok(viaVal.examples.every((e) => e.provenance.split === 'validation' && e.id.startsWith('counselchat:validation:')));
    await assert.rejects(src.load({ split: 'holdout' }), /no 'holdout' split in .*; available: train, validation, test/);
  });

  test('top-voted keeps exactly one answer per question, the most upvoted', async () => {
    const src = await source();
    const all = (await src.load({ split: 'train' })).examples;
    const top = (await (await source({ answers: 'top-voted' })).load({ split: 'train' })).examples;
    const questions = new Set(all.map((e) => e.provenance.dialogId));
    assert.equal(top.length, questions.size);
    assert.equal(top.length, 50);
    for (const chosen of top) {
      const best = Math.max(...all.filter((e) => e.provenance.dialogId === chosen.provenance.dialogId).map((e) => Number(e.metadata.upvotes)));
      assert.equal(chosen.metadata.upvotes, best, `${chosen.id} is the most upvoted answer`);
    }
  });

  test('limit stops after that many examples', async () => {
    const { examples } = await (await source()).load({ split: 'test', limit: 3 });
    assert.equal(examples.length, 3);
  });
});

describe('counselchat text repair', () => {
  test('glued sentences get their space back; abbreviations and web addresses do not', () => {
    assert.equal(repairAnswerText('Hello,While one can.Seriously, e.g.The Ph.D.\u00a0See www.LivingYes.com. CBT.The end'), 'Hello, While one can. Seriously, e.g.The Ph.D. See www.LivingYes.com. CBT.The end');
  });

  test('repairText: false keeps the scraped text as it is', async () => {
    const repaired = (await (await source({ path: 'malformed' })).load({ split: 'train' })).examples[0]!;
    const raw = (await (await source({ path: 'malformed', repairText: false })).load({ split: 'train' })).examples[0]!;
    assert.equal(repaired.messages[1]!.content, 'It can get better. Talking helps.');
    assert.equal(raw.messages[1]!.content, 'It can get better.Talking helps.');
    assert.equal(raw.messages[0]!.content, 'Can I feel better?\n\nI feel low.\nMost days.');
  });
});

describe('counselchat malformed rows and layouts', () => {
  test('skip: bad rows are located by file, line and field', async () => {
    const { examples, issues } = await (await source({ path: 'malformed' })).load({ split: 'train' });
    assert.equal(examples.length, 1);
    assert.deepEqual(
      issues.map((i) => [i.row, i.field ?? '', i.reason.split(' ').slice(0, 2).join(' ')]),
      [
        [4, '', 'expected 12'],
        [5, 'answerText', 'empty text'],
        [6, 'upvotes', "unparseable number"],
        [7, 'split', 'unknown split'],
        [8, 'questionText', 'empty text:'],
        [9, 'views', 'unparseable number'],
      ],
    );
    assert.ok(issues.every((i) => i.file.endsWith('malformed/20200325_counsel_chat.csv')));
  });

  test('fail: the first bad row throws', async () => {
    await assert.rejects((await source({ path: 'malformed', badRows: 'fail' })).load({ split: 'train' }), (error: unknown) => {
      assert.ok(error instanceof DataRowError);
      assert.match(error.message, /20200325_counsel_chat\.csv, row 4\).*expected 12 columns/);
      return true;
    });
  });

  test('one questionID holding two different questions becomes two dialogues', async () => {
    const { examples } = await (await source({ path: 'malformed' })).load({ split: 'test' });
    assert.equal(examples.length, 2);
    assert.notEqual(examples[0]!.provenance.dialogId, examples[1]!.provenance.dialogId);
    assert.ok(examples.every((e) => e.metadata.questionId === '4'));
  });

  test('a Hugging Face folder: one file per split, bad JSON located', async () => {
    const src = await source({ path: 'hf' });
    assert.deepEqual(src.splits, ['train', 'validation']);
    const train = await src.load({ split: 'train' });
    assert.equal(train.examples.length, 1);
    assert.deepEqual(train.issues.map((i) => i.row), [2]);
    const validation = await src.load({ split: 'dev' });
    assert.equal(validation.examples[0]!.messages[0]!.content, 'Why do I panic?', 'a question without body is its title');
  });

  test('a Hugging Face Parquet folder: int64 columns, missing views', async () => {
    const src = await source({ path: 'hf-parquet' });
    assert.deepEqual(src.splits, ['train']);
    const { examples, issues } = await src.load({ split: 'train' });
    assert.equal(issues.length, 0);
    assert.deepEqual(examples.map((e) => [e.metadata.questionId, e.metadata.upvotes, e.metadata.views ?? null]), [['11', 4, 120], ['11', 1, 80], ['12', 0, null]]);
    assert.equal(examples[0]!.provenance.dialogId, examples[1]!.provenance.dialogId);
  });

  test('a missing path names the layouts that were expected', async () => {
    await assert.rejects(source({ path: 'nowhere' }), (error: unknown) => {
      assert.ok(error instanceof DataLayoutError);
      assert.match(error.describe(), /does not exist[\s\S]*20200325_counsel_chat\.csv[\s\S]*Hugging Face/);
      return true;
    });
  });
});

describe('counselchat leakage', () => {
  const canaries = ['linkCANARYq1', 'topicCANARYt2', 'therapistCANARYn3', 'urlCANARYu4', 'therapistCANARYn5', 'urlCANARYu6', '98761', '87652'];

  test('metadata never reaches messages by default', async () => {
    const { examples } = await (await source({ path: 'canary' })).load({ split: 'train' });
    assert.equal(examples.length, 2);
    assert.equal(examples[0]!.metadata.topic, 'topicCANARYt2');
    assert.equal(examples[0]!.metadata.views, 98761);
    const text = JSON.stringify(examples.map((e) => e.messages));
    for (const canary of canaries) assert.ok(!text.includes(canary), `${canary} leaked`);
  });

  test("exposeMetadata: ['topic'] puts the topic, and only it, in a system message", async () => {
    const { examples } = await (await source({ path: 'canary', exposeMetadata: ['topic'] })).load({ split: 'train' });
    const [system] = examples[0]!.messages;
    assert.equal(system?.role, 'system');
    assert.match(system!.content, /topic: topicCANARYt2/);
    const text = JSON.stringify(examples.map((e) => e.messages));
    for (const canary of canaries.filter((c) => c !== 'topicCANARYt2')) assert.ok(!text.includes(canary), `${canary} leaked`);
  });
});
