import { knownLabels } from '../../core/data/known-labels.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import annomi from '../../plugins/sources/annomi/index.js';
import { transcriptSplit } from '../../plugins/sources/annomi/split.js';
import { canonicalExampleSchema, type CanonicalExample } from '../../core/data/example.js';
import { DataRowError } from '../../core/data/row-issues.js';
import { DataLayoutError } from '../../core/data/formats/index.js';
import { fixtureEnv, sourceFactory } from './fixture-source.js';

const source = sourceFactory(annomi, fixtureEnv('annomi'));
const allTrain = { splitRatios: { train: 1, validation: 0, test: 0 } };

async function load(options: Record<string, unknown>, split = 'train') {
  return (await source(options)).load({ split });
}

async function loadAll(options: Record<string, unknown> = {}): Promise<Record<string, CanonicalExample[]>> {
  const out: Record<string, CanonicalExample[]> = {};
  for (const split of ['train', 'validation', 'test']) out[split] = (await load(options, split)).examples;
  return out;
}

describe('annomi source on the shipped slice', () => {
  test('one dialogue example per therapist turn, with labels from the target turn and its session', async () => {
    const bySplit = await loadAll();
    assert.deepEqual(Object.fromEntries(Object.entries(bySplit).map(([s, e]) => [s, e.length])), { train: 98, validation: 66, test: 20 });
    for (const [split, examples] of Object.entries(bySplit)) {
      for (const example of examples) {
        canonicalExampleSchema.parse(example);
        assert.equal(example.kind, 'dialogue');
        assert.equal(example.id, `annomi:${split}:${example.provenance.dialogId}:${example.provenance.turn}`);
        const roles = example.messages.map((m) => m.role);
        assert.equal(roles[0], 'user');
        assert.equal(roles.at(-1), 'assistant');
        roles.forEach((role, i) => i > 0 && assert.notEqual(role, roles[i - 1], 'roles alternate'));
        assert.ok(knownLabels(example).miQuality === 'high' || knownLabels(example).miQuality === 'low');
        assert.ok(['question', 'reflection', 'therapist_input', 'other'].includes(knownLabels(example).miBehaviour!));
        assert.ok(['change', 'neutral', 'sustain'].includes(String(example.metadata.clientTalkType)));
        assert.ok(!String(example.metadata.topic).endsWith(' '), 'topics are trimmed');
      }
    }
  });

  test('the split is by transcript, seeded, and set-independent', async () => {
    const bySplit = await loadAll();
    const seen = new Map<string, string>();
    for (const [split, examples] of Object.entries(bySplit)) {
      for (const e of examples) {
        const id = e.provenance.dialogId!;
        assert.equal(seen.get(id) ?? split, split, `transcript ${id} spans two splits`);
        seen.set(id, split);
        assert.equal(transcriptSplit(id, 0, { train: 0.8, validation: 0.1, test: 0.1 }), split, 'the slice agrees with the full data');
      }
    }
    assert.equal(seen.size, 9);
    const reseeded = await loadAll({ splitSeed: 7 });
    const moved = [...seen].filter(([id, split]) => !reseeded[split]!.some((e) => e.provenance.dialogId === id));
    assert.ok(moved.length > 0, 'another seed moves some transcript');
    assert.deepEqual(await loadAll(), bySplit, 'the same seed gives the same split');
  });

  test("turns: 'last', maxHistoryTurns and the quality filter", async () => {
    const last = (await load({ turns: 'last' })).examples;
    assert.equal(last.length, 5, 'one example per train transcript');
    const every = (await load({})).examples;
    for (const e of last) {
      const sameTranscript = every.filter((x) => x.provenance.dialogId === e.provenance.dialogId);
      assert.deepEqual(e, sameTranscript.at(-1));
    }
    const short = (await load({ maxHistoryTurns: 2 })).examples;
    assert.equal(short.length, every.length);
    assert.ok(short.every((e) => e.messages.length <= 3));
    const low = (await load({ quality: 'low' })).examples;
    assert.ok(low.length > 0 && low.every((e) => knownLabels(e).miQuality === 'low'));
  });

  test('the full release gives the same examples, with majority-voted labels and subtypes', async () => {
    const simple = (await load({ annotations: 'simple' })).examples;
    const full = (await load({ annotations: 'full' })).examples;
    assert.deepEqual(new Set(full.map((e) => e.id)), new Set(simple.map((e) => e.id)));
    const multi = full.filter((e) => e.provenance.dialogId === '130');
    assert.ok(multi.length > 0 && multi.every((e) => Number(e.metadata.annotators) > 1));
    assert.ok(full.some((e) => e.metadata.behaviourSubtype === 'open' || e.metadata.behaviourSubtype === 'closed'));
  });
});

describe('annomi annotator votes', () => {
  test('majority wins; a tie goes to the first row', async () => {
    const { examples } = await load({ path: 'full-votes', ...allTrain });
    assert.equal(examples.length, 2);
    const [first, second] = examples;
    assert.equal(knownLabels(first!).miBehaviour, 'reflection');
    assert.equal(first!.metadata.behaviourSubtype, 'complex');
    assert.equal(first!.metadata.clientTalkType, 'sustain');
    assert.equal(first!.metadata.annotators, 3);
    assert.equal(knownLabels(second!).miBehaviour, 'question', 'tie between annotators 2 and 1: the first row');
    assert.equal(second!.metadata.behaviourSubtype, 'open');
  });
});

describe('annomi malformed rows', () => {
  test('skip: every bad row is located and the rest still form dialogues', async () => {
    const { examples, issues } = await load({ path: 'malformed', ...allTrain });
    assert.deepEqual(
      issues.map((i) => [i.row, i.field ?? '', i.reason.split(' ').slice(0, 2).join(' ')]),
      [
        [11, '', 'expected 11'],
        [5, 'mi_quality', "unknown label"],
        [6, 'interlocutor', 'unknown label'],
        [7, 'utterance_text', 'empty text'],
        [8, 'utterance_id', 'unparseable number'],
        [9, 'main_therapist_behaviour', 'unknown label'],
        [10, 'client_talk_type', 'unknown label'],
        [12, 'utterance_id', 'duplicate utterance'],
      ],
    );
    assert.deepEqual(examples.map((e) => e.provenance.turn), [2, 11]);
    assert.deepEqual(examples[1]!.messages.map((m) => m.content), ['Hi. I want to quit.', 'You want to quit.', 'It is hard, though.', 'It feels hard.']);
    assert.equal(examples[1]!.metadata.topic, 'smoking cessation');
  });

  test('fail: the first bad row throws a located error', async () => {
    await assert.rejects(load({ path: 'malformed', badRows: 'fail', ...allTrain }), (error: unknown) => {
      assert.ok(error instanceof DataRowError);
      assert.match(error.message, /AnnoMI-simple\.csv, row 11\).*expected 11 columns/);
      return true;
    });
  });

  test('a missing path or a folder without AnnoMI files names the expected layouts', async () => {
    for (const path of ['nowhere', '.']) {
      await assert.rejects(load({ path }), (error: unknown) => {
        assert.ok(error instanceof DataLayoutError);
        assert.match(error.describe(), /AnnoMI-simple\.csv[\s\S]*Hugging Face/);
        return true;
      });
    }
  });
});

describe('annomi leakage', () => {
  const canaries = ['titleCANARYv1', 'urlCANARYv2', 'topicCANARYt3', 'tsCANARY04', 'tsCANARY05', 'tsCANARY06', 'tsCANARY07', 'therapist_input', 'low'];

  test('labels and metadata never reach messages by default', async () => {
    const { examples } = await load({ path: 'canary', ...allTrain });
    assert.equal(examples.length, 2);
    assert.equal(knownLabels(examples[0]!).miBehaviour, 'therapist_input');
    assert.equal(examples[0]!.metadata.topic, 'topicCANARYt3');
    const text = JSON.stringify(examples.map((e) => e.messages));
    for (const canary of canaries) assert.ok(!text.includes(canary), `${canary} leaked`);
  });

  test("exposeMetadata: ['topic'] adds the topic and nothing else", async () => {
    const { examples } = await load({ path: 'canary', exposeMetadata: ['topic'], ...allTrain });
    assert.equal(examples[0]!.messages[0]!.role, 'system');
    assert.match(examples[0]!.messages[0]!.content, /topic: topicCANARYt3/);
    const text = JSON.stringify(examples.map((e) => e.messages));
    for (const canary of canaries.filter((c) => c !== 'topicCANARYt3')) assert.ok(!text.includes(canary), `${canary} leaked`);
  });
});
