import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { annomiPreferencePairs, counselChatPreferencePairs } from '../../core/data/preferences/index.js';
import { canonicalExampleSchema, type CanonicalExample } from '../../core/data/example.js';
import counselchat from '../../plugins/sources/counselchat/index.js';
import annomi from '../../plugins/sources/annomi/index.js';

const env = { baseDir: process.cwd(), warn: () => {} };

function answer(question: string, turn: number, upvotes: number, split = 'train'): CanonicalExample {
  return {
    id: `counselchat:${split}:${question}:${turn}`,
    kind: 'dialogue',
    messages: [
      { role: 'user', content: `Question ${question}?` },
      { role: 'assistant', content: `Answer ${turn} to ${question}.` },
    ],
    labels: {},
    metadata: { questionId: question, upvotes, topic: 'anxiety', therapist: `T${turn}` },
    provenance: { source: 'counselchat', split, file: 'f.csv', row: turn + 2, dialogId: question, turn },
  };
}

function pairsOf(pairs: CanonicalExample[]): string[] {
  return pairs.map((p) => `${p.preference!.chosen.match(/Answer (\d+)/)![1]}>${p.preference!.rejected.match(/Answer (\d+)/)![1]}:${p.preference!.margin}`).sort();
}

describe('counselchat preference pairs', () => {
  test('ties are skipped; the more upvoted answer is chosen, the margin is the difference', () => {
    const examples = [answer('q1', 0, 2), answer('q1', 1, 2), answer('q2', 2, 3), answer('q2', 3, 1), answer('q2', 4, 0)];
    const pairs = counselChatPreferencePairs(examples, { maxPairsPerQuestion: 0 });
    assert.deepEqual(pairsOf(pairs), ['2>3:2', '2>4:3', '3>4:1']);
    for (const pair of pairs) {
      canonicalExampleSchema.parse(pair);
      assert.equal(pair.kind, 'preference');
      assert.deepEqual(pair.messages, [{ role: 'user', content: 'Question q2?' }]);
      assert.equal(pair.metadata.chosenUpvotes! as number - (pair.metadata.rejectedUpvotes as number), pair.preference!.margin);
    }
    assert.equal(pairs.find((p) => p.preference!.margin === 3)!.id, 'counselchat:train:q2:2-vs-4');
  });

  test('minMargin drops pairs whose upvote gap is too small', () => {
    const examples = [answer('q2', 2, 3), answer('q2', 3, 1), answer('q2', 4, 0)];
    assert.deepEqual(pairsOf(counselChatPreferencePairs(examples, { minMargin: 2, maxPairsPerQuestion: 0 })), ['2>3:2', '2>4:3']);
    assert.deepEqual(pairsOf(counselChatPreferencePairs(examples, { minMargin: 3, maxPairsPerQuestion: 0 })), ['2>4:3']);
  });

  test('the cap limits pairs per question by a seeded choice, deterministic for a seed', () => {
    const many = [0, 1, 2, 3, 4, 5].map((i) => answer('big', i, 5 - i));
    const small = [answer('small', 10, 1), answer('small', 11, 0)];
    const uncapped = counselChatPreferencePairs([...many, ...small], { maxPairsPerQuestion: 0 });
    assert.equal(uncapped.length, 15 + 1);
    const capped = counselChatPreferencePairs([...many, ...small], { maxPairsPerQuestion: 3, seed: 1 });
    assert.equal(capped.filter((p) => p.provenance.dialogId === 'big').length, 3);
    assert.equal(capped.filter((p) => p.provenance.dialogId === 'small').length, 1, 'a small question keeps its pair');
    assert.deepEqual(counselChatPreferencePairs([...small, ...many].reverse(), { maxPairsPerQuestion: 3, seed: 1 }).map((p) => p.id).sort(), capped.map((p) => p.id).sort(), 'input order does not matter');
    const selections = new Set([1, 2, 3, 4, 5, 6].map((seed) => pairsOf(counselChatPreferencePairs(many, { maxPairsPerQuestion: 3, seed })).join(' ')));
    assert.ok(selections.size > 1, 'other seeds choose other pairs');
  });

  test('pairs never cross splits; non-CounselChat examples are refused', () => {
    assert.equal(counselChatPreferencePairs([answer('q', 0, 3, 'train'), answer('q', 1, 0, 'test')]).length, 0);
    const noVotes = { ...answer('q', 0, 1), metadata: {} };
    assert.throws(() => counselChatPreferencePairs([noVotes]), /numeric metadata\.upvotes; counselchat:train:q:0/);
  });

  test('on the shipped slice: at most 3 pairs per question, all with a positive margin', async () => {
    const { examples } = await (await counselchat.create(counselchat.options.parse({}), env)).load({ split: 'train' });
    const pairs = counselChatPreferencePairs(examples);
    assert.equal(pairs.length, 36);
    const perQuestion = new Map<string, number>();
    for (const pair of pairs) perQuestion.set(pair.provenance.dialogId!, (perQuestion.get(pair.provenance.dialogId!) ?? 0) + 1);
    assert.ok([...perQuestion.values()].every((n) => n <= 3));
    assert.ok(pairs.every((p) => p.preference!.margin! >= 1 && p.preference!.chosen !== p.preference!.rejected));
  });
});

interface TurnSpec {
  id: string;
  quality: 'high' | 'low';
  client: string;
  reply: string;
  talkType?: string;
  topic?: string;
  split?: string;
  behaviour?: string;
}

function turn(spec: TurnSpec): CanonicalExample {
  const split = spec.split ?? 'train';
  return {
    id: `annomi:${split}:${spec.id}:1`,
    kind: 'dialogue',
    messages: [
      { role: 'user', content: `Context of ${spec.id}.` },
      { role: 'assistant', content: 'Earlier reply.' },
      { role: 'user', content: spec.client },
      { role: 'assistant', content: spec.reply },
    ],
    labels: { miQuality: spec.quality, miBehaviour: spec.behaviour ?? 'reflection' },
    metadata: { topic: spec.topic ?? 'smoking cessation', clientTalkType: spec.talkType ?? 'change', transcriptId: spec.id },
    provenance: { source: 'annomi', split, file: 'a.csv', row: 2, dialogId: spec.id, turn: 1 },
  };
}

const lowTurn = turn({ id: 'L', quality: 'low', client: 'I want to stop smoking because of my kids and my cough.', reply: 'You just need to quit right now, seriously.' });

describe('annomi preference pairs', () => {
  test('the most similar comparable high-quality turn is chosen; its context is the prompt', () => {
    const best = turn({ id: 'H1', quality: 'high', client: 'I want to stop smoking for my kids, and this cough worries me.', reply: 'Your kids and your health both matter to you.' });
    const weaker = turn({ id: 'H4', quality: 'high', client: 'Smoking helps me relax after work.', reply: 'It helps you unwind at the end of the day.' });
    const otherTalk = turn({ id: 'H2', quality: 'high', talkType: 'sustain', client: lowTurn.messages[2]!.content, reply: 'Same words, other talk type here.' });
    const otherTopic = turn({ id: 'H3', quality: 'high', topic: 'weight loss', client: lowTurn.messages[2]!.content, reply: 'Same words, other topic here.' });
    const pairs = annomiPreferencePairs([lowTurn, weaker, otherTalk, otherTopic, best]);
    assert.equal(pairs.length, 1);
    const [pair] = pairs;
    canonicalExampleSchema.parse(pair);
    assert.equal(pair!.kind, 'preference');
    assert.equal(pair!.preference!.chosen, 'Your kids and your health both matter to you.');
    assert.equal(pair!.preference!.rejected, 'You just need to quit right now, seriously.');
    assert.equal(pair!.preference!.margin, 1);
    assert.deepEqual(pair!.messages, best.messages.slice(0, -1), 'the prompt is the high-quality context');
    assert.equal(pair!.id, 'annomi:train:H1:1-vs-L.1');
    assert.equal(pair!.metadata.rejectedTranscript, 'L');
  });

  test('topics are compared part by part; splits, short replies and thin contexts never pair', () => {
    const multiTopic = turn({ id: 'H', quality: 'high', topic: 'reducing alcohol consumption; smoking cessation', client: 'I want to stop smoking for my kids.', reply: 'You are thinking of your kids.' });
    assert.equal(annomiPreferencePairs([lowTurn, multiTopic]).length, 1);
    assert.equal(annomiPreferencePairs([lowTurn, { ...multiTopic, provenance: { ...multiTopic.provenance, split: 'test' } }]).length, 0);
    const backchannel = turn({ id: 'H', quality: 'high', client: 'I want to stop smoking for my kids.', reply: 'Mm-hmm.' });
    assert.equal(annomiPreferencePairs([lowTurn, backchannel]).length, 0);
    const thin = turn({ id: 'L2', quality: 'low', client: 'Sure.', reply: 'Then you should quit today.' });
    const thinHigh = turn({ id: 'H2', quality: 'high', client: 'Sure.', reply: 'Tell me more about that, please.' });
    assert.equal(annomiPreferencePairs([thin, thinHigh]).length, 0);
    assert.equal(annomiPreferencePairs([thin, thinHigh], { minContextWords: 1 }).length, 1, 'the context-length guard is what kept them apart');
    assert.equal(annomiPreferencePairs([lowTurn, multiTopic], { minSimilarity: 0.9 }).length, 0);
  });

  test('each high-quality turn is used at most maxUsesPerChosen times', () => {
    const second = turn({ id: 'L2', quality: 'low', client: 'I want to stop smoking because of my kids.', reply: 'Quit or you will regret it.' });
    const h1 = turn({ id: 'H1', quality: 'high', client: 'I want to stop smoking for my kids and my cough.', reply: 'Your kids matter a great deal to you.' });
    const h2 = turn({ id: 'H2', quality: 'high', client: 'Stop smoking? My kids keep asking me.', reply: 'Your kids are part of why this matters.' });
    const once = annomiPreferencePairs([lowTurn, second, h1, h2]);
    assert.deepEqual(once.map((p) => p.provenance.dialogId), ['H1', 'H2']);
    const twice = annomiPreferencePairs([lowTurn, second, h1, h2], { maxUsesPerChosen: 2 });
    assert.deepEqual(twice.map((p) => p.provenance.dialogId), ['H1', 'H1']);
  });

  test('equally similar candidates are broken by the seed, deterministically', () => {
    const candidates = ['A', 'B', 'C', 'D', 'E', 'F'].map((id) =>
      turn({ id, quality: 'high', client: lowTurn.messages[2]!.content, reply: `High-quality reply from ${id} here.` }),
    );
    const pick = (seed: number) => annomiPreferencePairs([lowTurn, ...candidates], { seed })[0]!.provenance.dialogId;
    assert.equal(pick(3), pick(3));
    assert.equal(annomiPreferencePairs([lowTurn, ...[...candidates].reverse()], { seed: 3 })[0]!.provenance.dialogId, pick(3), 'input order does not matter');
    assert.ok(new Set([0, 1, 2, 3, 4, 5, 6, 7].map(pick)).size > 1, 'other seeds choose others');
  });

  test('on the shipped slice: pairs in train and test, none in validation, all high over low', async () => {
    const src = await annomi.create(annomi.options.parse({}), env);
    const counts: Record<string, number> = {};
    for (const split of src.splits) {
      const { examples } = await src.load({ split });
      const pairs = annomiPreferencePairs(examples);
      counts[split] = pairs.length;
      const byId = new Map(examples.map((e) => [e.id, e]));
      for (const pair of pairs) {
        assert.equal(byId.get(`annomi:${split}:${pair.provenance.dialogId}:${pair.provenance.turn}`)?.labels.miQuality, 'high');
        const rejected = byId.get(`annomi:${split}:${pair.metadata.rejectedTranscript}:${pair.metadata.rejectedTurn}`);
        assert.equal(rejected?.labels.miQuality, 'low');
        assert.equal(rejected?.metadata.clientTalkType, pair.metadata.clientTalkType);
      }
    }
    assert.deepEqual(counts, { train: 2, validation: 0, test: 4 });
  });
});
