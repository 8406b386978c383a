import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, describe, test } from 'node:test';
import type { CanonicalExample, Message, Reward, RewardBatch, RewardCompletion } from '../../core/kernel/index.js';
import { Kernel } from '../../core/kernel/kernel.js';
import { SequenceClassifier, activate } from '../../core/model/classifier/index.js';
import { RewardRunner } from '../../core/train/index.js';
import { builtinPlugins } from '../../plugins/index.js';
import { lengthScore } from '../../plugins/rewards/length.js';
import { bertConfig, robertaConfig, writeClassifierFolder } from '../model/reference/classifier-folders.js';

const dirs: string[] = [];
after(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
const folder = async (config: Record<string, unknown>): Promise<string> => {
  const dir = await writeClassifierFolder(config);
  dirs.push(dir);
  return dir;
};

const kernel = await new Kernel().load({ builtins: builtinPlugins });
const env = { baseDir: process.cwd(), warn: () => {} };
const reward = (use: string, options: Record<string, unknown>): Promise<Reward> => kernel.create({ kind: 'rewards', use, options }, env);

const prompt: Message[] = [
  { role: 'system', content: 'Be kind.' },
  { role: 'user', content: 'I feel so alone lately.' },
];
const example = (messages: Message[]): CanonicalExample => ({ id: 'x', kind: 'dialogue', messages, labels: {}, metadata: {}, provenance: { source: 't', split: 'train', file: 'f', row: 1 } });

function batchOf(completions: RewardCompletion[], examples?: CanonicalExample[]): RewardBatch {
  return { prompts: completions.map(() => prompt), completions, examples: examples ?? completions.map(() => example(prompt)), groups: completions.map(() => 0) };
}
const completion = (text: string, extra: Partial<RewardCompletion> = {}): RewardCompletion => ({ text, tokenIds: [...text].map((c) => c.charCodeAt(0)), ...extra });

describe('rewards/length', () => {
  test("DAPO's soft overlong penalty and the shortness ramp (hand-worked)", () => {
    const o = { min: 4, max: 20, buffer: 8 };
    assert.equal(lengthScore(0, o), 0);
    assert.equal(lengthScore(2, o), 0.5);
    assert.equal(lengthScore(12, o), 1);
    assert.equal(lengthScore(16, o), 1 - 4 / 8);
    assert.equal(lengthScore(20, o), 0);
    assert.equal(lengthScore(21, o), 0);
    assert.equal(lengthScore(21, { min: 0, max: 20, buffer: 0 }), 0);
    assert.equal(lengthScore(20, { min: 0, max: 20, buffer: 0 }), 1);
  });

  test('counts tokens or words of the completion or the answer; bad bands are config errors at their key', async () => {
    const tokens = await reward('rewards/length', { max: 10, buffer: 4 });
    assert.deepEqual(await tokens.score(batchOf([completion('abcdef'), completion('abcdefgh')])), [1, 0.5]);
    const answerWords = await reward('rewards/length', { unit: 'words', of: 'answer', min: 2, max: 10 });
    assert.deepEqual(await answerWords.score(batchOf([completion('<answer>one</answer>', { answer: 'one' }), completion('no tags', { answer: null })])), [0.5, 0]);
    await assert.rejects(reward('rewards/length', { max: 10, buffer: 11 }), /buffer must not exceed max/);
    await assert.rejects(reward('rewards/length', { max: 10, of: 'answer' }), /count the answer with unit: 'words'/);
  });
});

describe('rewards/xml-format', () => {
  test('strict is 1 only for exactly one reasoning block then one answer block', async () => {
    const strict = await reward('rewards/xml-format', {});
    const texts = ['<reasoning>\nthink\n</reasoning>\n<answer>\nreply\n</answer>\n', '<answer>reply</answer>', '<reasoning>a</reasoning><answer>b</answer> trailing', '<reasoning>a</reasoning><answer>b</answer><answer>c</answer>'];
    assert.deepEqual(await strict.score(batchOf(texts.map((t) => completion(t)))), [1, 0, 0, 0]);
  });

  test('graded gives 0.25 per tag present once and takes 0.25 for text after the answer', async () => {
    const graded = await reward('rewards/xml-format', { mode: 'graded', answerTag: 'reply' });
    const texts = ['<reasoning>a</reasoning><reply>b</reply>', '<reasoning>a</reasoning>', '<reasoning>a</reasoning><reply>b</reply> p.s.', 'plain'];
    assert.deepEqual(await graded.score(batchOf(texts.map((t) => completion(t)))), [1, 0.5, 0.75, 0]);
  });
});

describe('classifier rewards', () => {
  test('semantic-similarity is sigmoid(cross-encoder logit / T) of (user turn | reference, answer); null where it has no anchor', async () => {
    const dir = await folder(robertaConfig());
    const sim = await reward('rewards/semantic-similarity', { model: dir, temperature: 0.6 });
    const byRef = await reward('rewards/semantic-similarity', { model: dir, against: 'reference' });
    const classifier = await SequenceClassifier.open(dir);
    try {
      const completions = [completion('<answer>That sounds hard.</answer>', { answer: 'That sounds hard.' }), completion('You are not alone.'), completion('<answer>', { answer: null })];
      const scores = await sim.score(batchOf(completions));
      const [a, b] = await classifier.classify([
        { text: 'I feel so alone lately.', pair: 'That sounds hard.' },
        { text: 'I feel so alone lately.', pair: 'You are not alone.' },
      ]);
      const sigmoid = (x: number) => 1 / (1 + Math.exp(-x / 0.6));
      assert.ok(Math.abs(scores[0]! - sigmoid(a!.logits[0]!)) < 1e-12);
      assert.ok(Math.abs(scores[1]! - sigmoid(b!.logits[0]!)) < 1e-12);
      assert.equal(scores[2], 0, 'a missing answer scores 0 by default');
      const withReference = example([...prompt, { role: 'assistant', content: 'I am here for you.' }]);
      const refScores = await byRef.score(batchOf([completion('That sounds hard.'), completion('That sounds hard.')], [withReference, example(prompt)]));
      const [c] = await classifier.classify([{ text: 'I am here for you.', pair: 'That sounds hard.' }]);
      assert.ok(Math.abs(refScores[0]! - 1 / (1 + Math.exp(-c!.logits[0]! / 0.6))) < 1e-12);
      assert.equal(refScores[1], null, 'no reference reply: not applicable');
    } finally {
      await Promise.all([sim.dispose?.(), byRef.dispose?.(), classifier.release()]);
    }
  });

  test('empathy is the probability mass of the chosen labels, or a regressor mapped from its range; misconfiguration names the labels', async () => {
    const dir = await folder(bertConfig());
    const empathy = await reward('rewards/empathy', { model: dir, labels: ['neutral', 'positive'] });
    const classifier = await SequenceClassifier.open(dir);
    try {
      const scores = await empathy.score(batchOf([completion('that sounds hard'), completion('you are not alone')]));
      const expected = await classifier.classify([{ text: 'that sounds hard' }, { text: 'you are not alone' }]);
      expected.forEach((e, i) => {
        const p = activate(e.logits, 'softmax');
        assert.ok(Math.abs(scores[i]! - (p[1]! + p[2]!)) < 1e-12);
      });
    } finally {
      await Promise.all([empathy.dispose?.(), classifier.release()]);
    }
    await assert.rejects(reward('rewards/empathy', { model: dir, labels: ['kind'] }), /labels kind are not labels of .*\(it has negative, neutral, positive\)/);
    await assert.rejects(reward('rewards/empathy', { model: dir }), /say which labels count as empathic/);
    const regressor = await folder(robertaConfig());
    await assert.rejects(reward('rewards/empathy', { model: regressor }), /is a regressor/);
    const mapped = await reward('rewards/empathy', { model: regressor, range: [-10, 10] });
    const raw = await SequenceClassifier.open(regressor);
    try {
      const [s] = await mapped.score(batchOf([completion('hello there')]));
      const [r] = await raw.classify([{ text: 'hello there' }]);
      assert.ok(Math.abs(s! - Math.min(1, Math.max(0, (r!.logits[0]! + 10) / 20))) < 1e-12);
    } finally {
      await Promise.all([mapped.dispose?.(), raw.release()]);
    }
  });

  test('through the reward runner: weights and both aggregations combine the built-in rewards', async () => {
    const length = await reward('rewards/length', { max: 12, buffer: 6 });
    const format = await reward('rewards/xml-format', { mode: 'graded' });
    const texts = ['<reasoning>a</reasoning>', 'x', '<reasoning>a</reasoning><answer>b</answer>', 'yy'];
    const batch = { ...batchOf(texts.map((t) => completion(t))), groups: [0, 0, 1, 1] };
    const entries = [
      { name: 'length', weight: 0.5, reward: length },
      { name: 'format', weight: 2, reward: format },
    ];
    const lengths = (await length.score(batch)) as number[];
    const formats = (await format.score(batch)) as number[];
    const result = await new RewardRunner(entries).score(batch);
    result.combined.forEach((r, i) => assert.ok(Math.abs(r - (0.5 * lengths[i]! + 2 * formats[i]!)) < 1e-12));
    const gdpo = await new RewardRunner(entries, { aggregation: 'normalize_then_sum' }).score(batch);
    assert.equal(gdpo.advantages.length, 4);
    assert.ok(Math.abs(gdpo.advantages.reduce((a, b) => a + b, 0)) < 1e-9, 'batch-normalized advantages sum to 0');
  });
});

describe('attune score', () => {
  const attune = async (args: string[]) => {
    const { runCli } = await import('../../core/cli/main.js');
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, { stdout: { write: (text) => (stdout += text) }, stderr: { write: (text) => (stderr += text) } });
    return { code, stdout, stderr };
  };
  const write = async (name: string, text: string): Promise<string> => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'attune-score-'));
    dirs.push(dir);
    await writeFile(join(dir, name), text);
    return join(dir, name);
  };
  const rows = [
    { prompt: 'I feel alone.', completion: '<reasoning>r</reasoning><answer>You are not alone here.</answer>', answer: 'You are not alone here.' },
    { prompt: 'I feel alone.', completion: 'no tags at all', answer: null },
    { prompt: [{ role: 'user', content: 'Exams!' }], completion: '<reasoning>r</reasoning>' },
    { prompt: [{ role: 'user', content: 'Exams!' }], completion: '<reasoning>a</reasoning><answer>b</answer>', answer: 'b' },
  ];

  test('combines the rewards as training would: weights, groups by prompt, advantages', async () => {
    const data = await write('completions.jsonl', rows.map((r) => JSON.stringify(r)).join('\n'));
    const config = await write('rewards.yaml', 'rewards:\n  - use: rewards/length\n    options: { unit: words, of: answer, min: 4, max: 40 }\n  - { use: rewards/xml-format, options: { mode: graded } }\nrewardWeights: [0.5, 2]\n');
    const out = await attune(['score', '--config', config, '--data', data, '--json']);
    assert.equal(out.code, 0, out.stderr);
    const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const perRow = lines.slice(0, 4) as { group: number; scores: Record<string, number | null>; combined: number; advantage: number }[];
    assert.deepEqual(perRow.map((r) => r.group), [0, 0, 1, 1]);
    assert.deepEqual(perRow.map((r) => r.scores.length), [1, 0, 0.25, 0.25]);
    assert.deepEqual(perRow.map((r) => r.scores['xml-format']), [1, 0, 0.5, 1]);
    perRow.forEach((r) => assert.ok(Math.abs(r.combined - (0.5 * r.scores.length! + 2 * r.scores['xml-format']!)) < 1e-12));
    assert.ok(Math.abs(perRow[0]!.advantage + perRow[1]!.advantage) < 1e-9, 'advantages centre within a group');
    const summary = lines[4] as { summary: { name: string; scored: number; mean: number }[] };
    assert.deepEqual(summary.summary.map((s) => [s.name, s.scored]), [['length', 4], ['xml-format', 4]]);
    const table = await attune(['score', '--reward', 'rewards/xml-format', '--data', data]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^reward\s+weight\s+scored\s+null\s+mean/);
    assert.match(table.stdout, /row 1 \(group 0\): xml-format 1\.0000/);
  });

  test('bad rows, unknown rewards and token counts without a tokenizer are located errors', async () => {
    const bad = await write('bad.jsonl', `${JSON.stringify(rows[0])}\n{"prompt": "x"}\n`);
    const badRow = await attune(['score', '--reward', 'rewards/xml-format', '--data', bad]);
    assert.equal(badRow.code, 1);
    assert.match(badRow.stderr, /bad\.jsonl:2: key 'completion'/);
    const data = await write('c.jsonl', JSON.stringify(rows[0]));
    const unknown = await attune(['score', '--reward', 'rewards/xml-formt', '--data', data]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown Reward 'rewards\/xml-formt'\. Did you mean 'rewards\/xml-format'\?/);
    const config = await write('len.yaml', 'rewards: [{ use: rewards/length, options: { max: 50 } }]\n');
    const tokens = await attune(['score', '--config', config, '--data', data]);
    assert.equal(tokens.code, 1);
    assert.match(tokens.stderr, /no token ids/);
    const withModel = await attune(['score', '--config', config, '--data', data, '--model', 'attune-tiny-qwen2']);
    assert.equal(withModel.code, 0, withModel.stderr);
  });
});
