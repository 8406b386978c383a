/**
 * sources/dataset: the user's own data in TRL's formats — conversational, prompt/completion,
 * preference, prompt-only — by file-name splits or a split column, label columns, located bad
 * rows, and a short SFT run on it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Kernel } from '../../core/kernel/kernel.js';
import { builtinPlugins } from '../../plugins/index.js';
import { fromPackageRoot } from '../../core/base/paths.js';
import { kernel as recipeKernel, run, set } from '../recipes/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'attune-dataset-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const kernel = await new Kernel().load({ builtins: builtinPlugins });
const env = { baseDir: dir, warn: () => {} };
const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n');
const source = (options: Record<string, unknown>) => kernel.create({ kind: 'sources', use: 'sources/dataset', options }, env);

const conversational = [
  { messages: [{ role: 'user', content: 'I lost my job today.' }, { role: 'assistant', content: "I'm so sorry. That is a lot." }], emotion: 'sadness', empathy: 4.5 },
  { prompt: 'My exam went well!', completion: "That's wonderful news!", emotion: 'joy', empathy: '3' },
  { prompt: [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'I feel alone.' }] },
  { prompt: 'Which is better?', chosen: 'A kind reply.', rejected: 'A cold reply.' },
  { text: 'plain text, not a TRL row' },
  { messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }, { role: 'user', content: 'and?' }] },
];

describe('sources/dataset', () => {
  test("reads each TRL format, splits by file name, maps label columns, and locates rows that fit no format", async () => {
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    writeFileSync(join(folder, 'train.jsonl'), jsonl(conversational));
    writeFileSync(join(folder, 'validation.csv'), 'prompt,completion\nI cannot sleep.,That sounds exhausting.\n');
    const s = await source({ path: 'folder', labels: { emotion: { column: 'emotion' }, scores: ['empathy'] } });
    assert.deepEqual([...s.splits].sort(), ['train', 'validation']);
    const train = await s.load({ split: 'train' });
    assert.deepEqual(train.examples.map((e) => e.kind), ['dialogue', 'dialogue', 'prompt-only', 'preference']);
    assert.deepEqual(train.examples[0]!.labels, { emotion: { taxonomy: 'goemotions-28', label: 'sadness' }, scores: { empathy: 4.5 } });
    assert.deepEqual(train.examples[1]!.messages, [{ role: 'user', content: 'My exam went well!' }, { role: 'assistant', content: "That's wonderful news!" }]);
    assert.deepEqual(train.examples[1]!.labels.scores, { empathy: 3 }, 'numeric strings are numbers');
    assert.deepEqual(train.examples[3]!.preference, { chosen: 'A kind reply.', rejected: 'A cold reply.' });
    assert.equal(train.issues.length, 2);
    assert.match(train.issues[0]!.reason, /fits none of TRL's formats: .* \(the row has text\)/);
    assert.equal(train.issues[0]!.row, 5);
    assert.match(train.issues[1]!.reason, /ends with a user message; a training example ends with the assistant's reply/);
    const validation = await s.load({ split: 'dev' });
    assert.equal(validation.examples[0]!.messages[1]!.content, 'That sounds exhausting.');
    await assert.rejects(s.load({ split: 'test' }), /has no 'test' split \(it has .*\)/);
    await assert.rejects(source({ path: 'folder', badRows: 'fail' }).then((x) => x.load({ split: 'train' })), /train\.jsonl.*row 5|train\.jsonl:5/);
  });

  test('a split column routes rows; a row without one is located; format pins the shape', async () => {
    writeFileSync(join(dir, 'all.jsonl'), jsonl([
      { split: 'train', prompt: 'a', completion: 'b' },
      { split: 'dev', prompt: 'c', completion: 'd' },
      { split: 'test', prompt: 'e', completion: 'f' },
      { prompt: 'g', completion: 'h' },
    ]));
    const s = await source({ path: 'all.jsonl', splitColumn: 'split' });
    assert.deepEqual(s.splits, ['train', 'validation', 'test']);
    const train = await s.load({ split: 'train' });
    assert.equal(train.examples.length, 1);
    assert.match(train.issues[0]!.reason, /no split in column 'split'/);
    assert.equal((await s.load({ split: 'validation' })).examples[0]!.messages[0]!.content, 'c');
    const pinned = await (await source({ path: 'all.jsonl', splitColumn: 'split', format: 'conversational' })).load({ split: 'train' });
    assert.match(pinned.issues[0]!.reason, /missing 'messages'/);
  });

  test('a short SFT run trains on it (LM and emotion-head terms)', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => ({ messages: [{ role: 'user', content: `Something happened, number ${i}.` }, { role: 'assistant', content: 'That sounds hard. I am here.' }], emotion: i % 2 ? 'sadness' : 'fear' }));
    writeFileSync(join(dir, 'sft.jsonl'), jsonl(rows));
    const outcome = await run(await recipeKernel(), {
      recipe: 'sft-multiobjective',
      configFile: fromPackageRoot('configs', 'sft-multiobjective', 'example.yaml'),
      overrides: [
        set('model', 'attune-tiny-qwen2'),
        set('data.sources', [{ use: 'sources/dataset', options: { path: join(dir, 'sft.jsonl'), labels: { emotion: { column: 'emotion' } } } }]),
        set('objectives', [{ use: 'objectives/lm' }, { use: 'objectives/emotion-head', options: { weight: 0.5 } }]),
        set('trainer.options.steps', 2),
        set('trainer.options.microBatchSize', 4),
        set('trainer.options.gradientAccumulation', 1),
        set('trainer.options.maxLength', 64),
        set('trainer.options.bucket', 32),
        set('trainer.options.evalEvery', 0),
        set('trainer.options.checkpointEvery', 0),
        set('trainer.options.warmupSteps', 0),
        set('trainer.options.evalSplit', 'train'),
      ],
      out: join(dir, 'run'),
    });
    assert.equal(outcome.status, 'completed');
    assert.ok(Number.isFinite(outcome.result!.metrics['loss_emotion'] ?? outcome.result!.metrics['eval_loss_emotion']), JSON.stringify(outcome.result!.metrics));
  });
});
