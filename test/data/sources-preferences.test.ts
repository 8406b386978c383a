/**
 * The preference sources: CounselChat upvote pairs and AnnoMI quality pairs on the shipped slices
 * (never across splits, prompts without the reply), and `preference-file` on TRL's formats —
 * explicit prompts as strings or message lists, implicit prompts shared by two conversations,
 * Parquet-style score columns — with each malformed row located by file, row and field.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { canonicalExampleSchema } from '../../core/data/example.js';
import { DataRowError } from '../../core/data/row-issues.js';
import { counselChatPairsSource } from '../../plugins/sources/preferences/counselchat-pairs.js';
import { annomiPairsSource } from '../../plugins/sources/preferences/annomi-pairs.js';
import { preferenceFileSource } from '../../plugins/sources/preferences/preference-file.js';
import { fixtureEnv, sourceFactory } from './fixture-source.js';

const dir = mkdtempSync(join(tmpdir(), 'attune-pref-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { baseDir: dir, warn: () => undefined };

describe('counselchat-pairs and annomi-pairs on the shipped slices', () => {
  test('CounselChat: the more upvoted answer is chosen, pairs stay in their split, the prompt is the question', async () => {
    const src = await sourceFactory(counselChatPairsSource, fixtureEnv('counselchat'))({ maxPairsPerQuestion: 0 });
    const capped = await sourceFactory(counselChatPairsSource, fixtureEnv('counselchat'))({});
    for (const split of ['train', 'validation']) {
      const { examples } = await src.load({ split });
      assert.ok(examples.length > 5, `${split}: ${examples.length} pairs`);
      for (const e of examples) {
        canonicalExampleSchema.parse(e);
        assert.equal(e.kind, 'preference');
        assert.equal(e.provenance.split, split);
        assert.deepEqual(e.messages.map((m) => m.role), ['user']);
        assert.ok((e.metadata.chosenUpvotes as number) > (e.metadata.rejectedUpvotes as number));
      }
      assert.ok((await capped.load({ split })).examples.length <= examples.length);
    }
    assert.equal((await src.load({ split: 'train', limit: 3 })).examples.length, 3);
  });

  test('AnnoMI: a high-quality therapist turn over a low-quality one', async () => {
    const src = await sourceFactory(annomiPairsSource, fixtureEnv('annomi'))({});
    const { examples } = await src.load({ split: 'train' });
    assert.ok(examples.length > 0);
    for (const e of examples) {
      assert.equal(e.kind, 'preference');
      assert.equal(e.messages.at(-1)!.role, 'user');
      assert.notEqual(e.preference!.chosen, e.preference!.rejected);
    }
  });
});

describe('preference-file', () => {
  const rows = [
    { prompt: 'I feel alone.', chosen: 'That sounds hard.', rejected: 'Whatever.', score_chosen: 8, score_rejected: 3 },
    { prompt: [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'My dog died.' }], chosen: [{ role: 'assistant', content: 'I am so sorry.' }], rejected: [{ role: 'assistant', content: 'Get a new one.' }] },
    {
      chosen: [{ role: 'user', content: 'I failed.' }, { role: 'assistant', content: 'That hurts; it does not define you.' }],
      rejected: [{ role: 'user', content: 'I failed.' }, { role: 'assistant', content: 'Study harder.' }],
    },
  ];
  const bad = [
    { prompt: 'x', chosen: 'a' },
    { prompt: 'x', chosen: [{ role: 'user', content: 'a' }], rejected: 'b' },
    { chosen: [{ role: 'user', content: 'p' }, { role: 'assistant', content: 'a' }], rejected: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'b' }] },
    { prompt: [{ role: 'narrator', content: 'x' }], chosen: 'a', rejected: 'b' },
    { prompt: 'x', chosen: '  ', rejected: 'b' },
  ];

  test('explicit string and message prompts, implicit prompts, and score margins', async () => {
    writeFileSync(join(dir, 'train.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    writeFileSync(join(dir, 'validation.jsonl'), `${JSON.stringify(rows[0])}\n`);
    const src = await sourceFactory(preferenceFileSource, env)({ path: '.' });
    assert.deepEqual(src.splits, ['train', 'validation']);
    const { examples, issues } = await src.load({ split: 'train' });
    assert.equal(issues.length, 0);
    assert.equal(examples.length, 3);
    examples.forEach((e) => canonicalExampleSchema.parse(e));
    assert.deepEqual(examples[0]!.messages, [{ role: 'user', content: 'I feel alone.' }]);
    assert.deepEqual(examples[0]!.preference, { chosen: 'That sounds hard.', rejected: 'Whatever.', margin: 5 });
    assert.deepEqual(examples[1]!.messages.map((m) => m.role), ['system', 'user']);
    assert.equal(examples[1]!.preference!.rejected, 'Get a new one.');
    assert.deepEqual(examples[2]!.messages, [{ role: 'user', content: 'I failed.' }]);
    assert.equal(examples[2]!.preference!.chosen, 'That hurts; it does not define you.');
    assert.equal(examples[2]!.provenance.row, 3);
  });

  test('each malformed row is located: skipped and counted, or the first one stops the load', async () => {
    const file = join(dir, 'bad', 'pairs.jsonl');
    rmSync(join(dir, 'bad'), { recursive: true, force: true });
    (await import('node:fs')).mkdirSync(join(dir, 'bad'));
    writeFileSync(file, [rows[0], ...bad].map((r) => JSON.stringify(r)).join('\n') + '\n');
    const skip = await (await sourceFactory(preferenceFileSource, env)({ path: 'bad/pairs.jsonl' })).load({ split: 'train' });
    assert.equal(skip.examples.length, 1);
    assert.deepEqual(skip.issues.map((i) => [i.row, i.field]), [[2, 'rejected'], [3, 'chosen'], [4, 'prompt'], [5, 'prompt'], [6, 'chosen']]);
    assert.match(skip.issues[1]!.reason, /must end with an assistant message/);
    assert.match(skip.issues[2]!.reason, /share their messages/);
    await assert.rejects((await sourceFactory(preferenceFileSource, env)({ path: 'bad/pairs.jsonl', badRows: 'fail' })).load({ split: 'train' }), (e: unknown) => e instanceof DataRowError && /pairs\.jsonl, row 2, field 'rejected'/.test(e.message));
  });
});
