import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CanonicalExample, Message, Reward, RewardBatch } from '../../core/kernel/index.js';
import { RewardError, RewardRunner, groupAdvantages, nanStd, normalizeWithinGroups } from '../../core/train/index.js';

const EPS = 1e-4;

function close(actual: readonly number[], expected: readonly number[], message?: string): void {
  assert.equal(actual.length, expected.length, message);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) < 1e-9, `${message ?? ''} [${i}]: got ${a}, expected ${expected[i]}`));
}

function closeRecord(actual: Record<string, number>, expected: Record<string, number>): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
  for (const [key, value] of Object.entries(expected)) assert.ok(Math.abs(actual[key]! - value) < 1e-9, `${key}: got ${actual[key]}, expected ${value}`);
}

const longPrompt = 'I feel like nobody listens to me when I talk about my day at work, and it really hurts.';
const prompt0: Message[] = [
  { role: 'system', content: 'Be kind.' },
  { role: 'user', content: longPrompt },
];
const prompt1: Message[] = [{ role: 'user', content: 'hi' }];
const example = (id: string, messages: Message[]): CanonicalExample => ({
  id,
  kind: 'prompt-only',
  messages,
  labels: { emotion: id === 'e0' ? 'sad' : 'neutral' },
  metadata: {},
  provenance: { source: 'test', split: 'train', file: 'x.jsonl', row: 1 },
});

/** 2 groups × 3 completions. */
const batch: RewardBatch = {
  prompts: [prompt0, prompt0, prompt0, prompt1, prompt1, prompt1],
  completions: ['a', 'bb', 'ccc', 'd', 'ee', 'fff'].map((text) => ({ text, tokenIds: [...text].map((c) => c.charCodeAt(0)) })),
  examples: [0, 0, 0, 1, 1, 1].map((g) => example(`e${g}`, g === 0 ? prompt0 : prompt1)),
  groups: [0, 0, 0, 1, 1, 1],
  state: { stage: 'grpo', step: 3, totalSteps: 10 },
};

const fixed = (values: (number | null)[]): Reward => ({ score: () => values });

// Reward a (weight 1) and reward b (weight 0.5); completion 4 is scored by neither.
const A = [1, 2, 3, 0, null, 4];
const B = [2, null, 0, null, null, 2];
const entries = [
  { name: 'a', weight: 1, reward: fixed(A) },
  { name: 'b', weight: 0.5, reward: fixed(B) },
];

/*
 * Worked by hand. R = a + 0.5·b over the non-null scores:
 *   R = [1+1, 2, 3+0, 0, (none), 4+1] = [2, 2, 3, 0, -, 5]
 * group 0: R = 2, 2, 3    mean 7/3, deviations −1/3, −1/3, 2/3, unbiased var (1/9+1/9+4/9)/2 = 1/3
 * group 1: R = 0, 5       mean 5/2, deviations −5/2, 5/2,        unbiased var (25/4+25/4)/1 = 12.5
 * batch (5 counted): R = 2, 2, 3, 0, 5   mean 12/5, Σ(dev²) = .16+.16+.36+5.76+6.76 = 13.2, var 13.2/4 = 3.3
 * rewards/a: 1, 2, 3, 0, 4   mean 2, Σ(dev²) = 1+0+1+4+4 = 10, std √(10/4)
 * rewards/b: 2, 0, 2         mean 4/3, Σ(dev²) = 4/9+16/9+4/9 = 24/9, std √(24/9/2) = √(4/3)
 */
const groupDev = [-1 / 3, -1 / 3, 2 / 3, -5 / 2, 0, 5 / 2];
const std0 = Math.sqrt(1 / 3); // ≈ 0.57735
const std1 = Math.sqrt(12.5); // ≈ 3.53553
const stdBatch = Math.sqrt(3.3); // ≈ 1.81659
const perRewardMetrics = { 'rewards/a/mean': 2, 'rewards/a/std': Math.sqrt(2.5), 'rewards/b/mean': 4 / 3, 'rewards/b/std': Math.sqrt(4 / 3) };

describe('reward runner: sum_then_normalize', () => {
  test('combined reward is the null-skipping weighted sum; an all-null completion is not counted', async () => {
    const result = await new RewardRunner(entries).score(batch);
    assert.deepEqual(result.scores, { a: A, b: B });
    assert.deepEqual(result.combined, [2, 2, 3, 0, 0, 5]);
    assert.deepEqual(result.counted, [true, true, true, true, false, true]);
  });

  test('scaleRewards group: (R − group mean) / (group std + 1e-4)', async () => {
    const result = await new RewardRunner(entries, { scaleRewards: 'group' }).score(batch);
    // ≈ [−0.57725, −0.57725, 1.15450, −0.70709, 0, 0.70709]
    close(result.advantages, [-1 / 3 / (std0 + EPS), -1 / 3 / (std0 + EPS), 2 / 3 / (std0 + EPS), -2.5 / (std1 + EPS), 0, 2.5 / (std1 + EPS)]);
    closeRecord(result.metrics, {
      ...perRewardMetrics,
      reward: 12 / 5,
      // mean over the 5 counted completions of their group's std: 3 in group 0, 2 in group 1
      reward_std: (3 * std0 + 2 * std1) / 5,
      frac_reward_zero_std: 0,
    });
  });

  test('scaleRewards batch: (R − group mean) / (batch std + 1e-4)', async () => {
    const result = await new RewardRunner(entries, { scaleRewards: 'batch' }).score(batch);
    // ≈ [−0.18348, −0.18348, 0.36697, −1.37613, 0, 1.37613]
    close(result.advantages, groupDev.map((d) => d / (stdBatch + EPS)));
    closeRecord(result.metrics, { ...perRewardMetrics, reward: 2.4, reward_std: stdBatch, frac_reward_zero_std: 0 });
  });

  test('scaleRewards none: R − group mean', async () => {
    const result = await new RewardRunner(entries, { scaleRewards: 'none' }).score(batch);
    close(result.advantages, groupDev);
    assert.equal(result.metrics.reward, 2.4);
  });

  test('a group whose rewards are all equal has advantage 0 and counts in frac_reward_zero_std', async () => {
    const runner = new RewardRunner([{ name: 'flat', weight: 2, reward: fixed([1, 1, 1, 0, 3, 6]) }]);
    const result = await runner.score(batch);
    // group 1: R = 0, 6, 12, mean 6, std √((36+0+36)/2) = 6
    close(result.advantages, [0, 0, 0, -6 / (6 + EPS), 0, 6 / (6 + EPS)]);
    assert.equal(result.metrics.frac_reward_zero_std, 0.5);
    assert.equal(result.metrics.reward_std, 3);
  });
});

describe('reward runner: normalize_then_sum', () => {
  /*
   * Each reward normalized within its group, (r − mean)/(std + 1e-4), nulls left out:
   *   a, group 0: 1, 2, 3 → mean 2, std 1       → −1/(1+ε), 0, 1/(1+ε)
   *   a, group 1: 0, −, 4 → mean 2, std √8      → −2/(√8+ε), −, 2/(√8+ε)
   *   b, group 0: 2, −, 0 → mean 1, std √2      → 1/(√2+ε), −, −1/(√2+ε)
   *   b, group 1: −, −, 2 → one value: (2 − 2)/(0 + ε) = 0
   * S = a' + 0.5·b' = [−p + q, 0, p − q, −s, −, s] with p = 1/(1+ε), q = 0.5/(√2+ε), s = 2/(√8+ε)
   * batch mean of S = 0; unbiased var = (2(p−q)² + 2s²)/4; advantage = S/(std + ε).
   */
  const p = 1 / (1 + EPS);
  const q = 0.5 / (Math.SQRT2 + EPS);
  const s = 2 / (Math.sqrt(8) + EPS);
  const std = Math.sqrt((2 * (p - q) ** 2 + 2 * s ** 2) / 4);
  const S = [-p + q, 0, p - q, -s, 0, s];

  for (const scaleRewards of ['group', 'batch', 'none'] as const) {
    test(`normalizes each reward per group, sums, normalizes by the batch (scaleRewards ${scaleRewards} unused)`, async () => {
      const result = await new RewardRunner(entries, { aggregation: 'normalize_then_sum', scaleRewards }).score(batch);
      // ≈ [−0.95404, 0, 0.95404, −1.04365, 0, 1.04365]
      close(result.advantages, S.map((v) => v / (std + EPS)));
      assert.deepEqual(result.combined, [2, 2, 3, 0, 0, 5], 'combined stays the raw weighted sum');
      closeRecord(result.metrics, { ...perRewardMetrics, reward: 2.4, reward_std: (3 * std0 + 2 * std1) / 5, frac_reward_zero_std: 0 });
    });
  }

  test('helpers: normalizeWithinGroups and groupAdvantages on interleaved groups', () => {
    close(normalizeWithinGroups([1, 10, 3, 30], [0, 1, 0, 1]).map((v) => v ?? Number.NaN), [-1 / (Math.SQRT2 + EPS), -10 / (Math.sqrt(200) + EPS), 1 / (Math.SQRT2 + EPS), 10 / (Math.sqrt(200) + EPS)]);
    close(groupAdvantages([1, 10, null, 30], [0, 1, 0, 1], 'none'), [0, -10, 0, 10]);
    assert.ok(Number.isNaN(nanStd([5, null])), 'the std of one value is undefined (n − 1 = 0)');
  });
});

describe('reward runner: calls and errors', () => {
  test('rewards run concurrently and their results stay in entry order', async () => {
    let releaseFirst!: () => void;
    const secondStarted = new Promise<void>((resolve) => (releaseFirst = resolve));
    const slow: Reward = { score: async () => (await secondStarted, [1, 1, 1, 1, 1, 1]) };
    const fast: Reward = {
      score: (b) => {
        releaseFirst();
        return b.completions.map((c) => c.text.length);
      },
    };
    const result = await new RewardRunner([
      { name: 'slow', weight: 1, reward: slow },
      { name: 'fast', weight: 1, reward: fast },
    ]).score(batch);
    assert.deepEqual(Object.keys(result.scores), ['slow', 'fast']);
    assert.deepEqual(result.scores.fast, [1, 2, 3, 1, 2, 3]);
    assert.deepEqual(result.combined, [2, 3, 4, 2, 3, 4]);
  });

  test('the batch reaches each reward whole: every column of the examples, the groups and the state', async () => {
    let seen: RewardBatch | undefined;
    await new RewardRunner([{ name: 'spy', weight: 1, reward: { score: (b) => ((seen = b), b.examples.map((e) => (e.labels.emotion === 'sad' ? 1 : 0))) } }]).score(batch);
    assert.equal(seen, batch);
  });

  test('a wrong-length result names the reward, expected and got', async () => {
    const runner = new RewardRunner([
      { name: 'ok', weight: 1, reward: fixed(A) },
      { name: 'short', weight: 1, reward: fixed([1, 2, 3, 4, 5]) },
    ]);
    await assert.rejects(runner.score(batch), (error: RewardError) => {
      assert.ok(error instanceof RewardError);
      assert.equal(error.reward, 'short');
      assert.match(error.message, /Reward 'short' returned 5 scores for a batch of 6 completions \(expected 6, got 5\)/);
      return true;
    });
    await assert.rejects(new RewardRunner([{ name: 'obj', weight: 1, reward: { score: () => ({}) as never } }]).score(batch), /Reward 'obj' returned object \{\} instead of a list of 6 scores/);
  });

  test('NaN, Infinity and non-numbers name the reward, the completion and its prompt', async () => {
    const preview = longPrompt.slice(0, 60);
    assert.equal(preview, 'I feel like nobody listens to me when I talk about my day at');
    await assert.rejects(new RewardRunner([{ name: 'nan', weight: 1, reward: fixed([1, 2, Number.NaN, 0, 0, 0]) }]).score(batch), (error: RewardError) => {
      assert.equal(error.message, `Reward 'nan' returned NaN for completion 2 (prompt: "${preview}…").`);
      assert.equal(error.index, 2);
      assert.match(error.hint ?? '', /return null where the reward does not apply/);
      return true;
    });
    await assert.rejects(new RewardRunner([{ name: 'inf', weight: 1, reward: fixed([1, 2, 3, 0, -Infinity, 0]) }]).score(batch), /Reward 'inf' returned -Infinity for completion 4 \(prompt: "hi"\)/);
    await assert.rejects(new RewardRunner([{ name: 'str', weight: 1, reward: fixed([1, '0.5' as never, 3, 0, 0, 0]) }]).score(batch), /Reward 'str' returned string "0\.5" for completion 1 \(prompt: "I feel like/);
    await assert.rejects(new RewardRunner([{ name: 'undef', weight: 1, reward: fixed([1, 2, 3, 0, 0, undefined as never]) }]).score(batch), /Reward 'undef' returned undefined for completion 5/);
  });

  test('an error thrown inside a reward is wrapped with its name and kept as the cause', async () => {
    const boom = new Error('classifier weights missing');
    await assert.rejects(
      new RewardRunner([
        { name: 'fine', weight: 1, reward: fixed(A) },
        { name: 'sync', weight: 1, reward: { score: () => { throw boom; } } },
        { name: 'async', weight: 1, reward: { score: async () => Promise.reject(new Error('later')) } },
      ]).score(batch),
      (error: RewardError) => {
        assert.ok(error instanceof RewardError);
        assert.equal(error.message, "Reward 'sync' failed: classifier weights missing");
        assert.equal(error.reward, 'sync');
        assert.equal((error as { cause?: unknown }).cause, boom);
        return true;
      },
    );
    await assert.rejects(new RewardRunner([{ name: 'async', weight: 1, reward: { score: async () => Promise.reject(new Error('later')) } }]).score(batch), /Reward 'async' failed: later/);
  });

  test('bad entries and inconsistent batches are refused', async () => {
    assert.throws(() => new RewardRunner([]), /at least one reward/);
    assert.throws(() => new RewardRunner([entries[0]!, { ...entries[1]!, name: 'a' }]), /Two rewards are named 'a'/);
    assert.throws(() => new RewardRunner([{ ...entries[0]!, weight: Number.NaN }]), /Reward 'a' has weight NaN/);
    await assert.rejects(new RewardRunner(entries).score({ ...batch, groups: [0, 0, 0, 1, 1] }), /Reward batch of 6 completions has 5 groups/);
  });
});
