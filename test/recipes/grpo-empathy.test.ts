/**
 * Recipe `grpo-empathy` on the tiny embedded policy and the shipped WASSA slice: a short run leaves
 * TRL's metrics, the completions table and the adapter; the graph's log-probs of the sampled tokens
 * equal the generator's (and a tolerance below fp32 noise stops the run, naming the token); β = 0
 * traces no reference forward while β > 0 logs the KL; kill + resume in the middle of a generation
 * batch (μ = 2) repeats the uninterrupted run.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fromPackageRoot } from '../../core/base/paths.js';
import type { Override } from '../../core/kernel/config/overrides.js';
import { kernel, run, set, steps, straightAndResumed, tempDir } from './harness.js';
import { ServedModels } from '../../core/serve/served-models.js';
import { ServedPolicies } from '../../core/serve/served-policies.js';
import { buildServer } from '../../core/serve/server.js';

/** An `attune serve` of `model` on loopback, for rollouts through a server. */
async function rolloutServer(model: string): Promise<{ url: string; models: () => Promise<string[]>; close: () => Promise<void> }> {
  const served = await ServedModels.open(model);
  const { app } = buildServer({ models: served, policies: new ServedPolicies(null, [], () => Promise.reject(new Error('no policies'))) });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    models: async () => ((await (await fetch(`${url}/v1/models`)).json()) as { data: { id: string }[] }).data.map((m) => m.id),
    close: async () => {
      await app.close();
      await served.release();
    },
  };
}

const configs = fromPackageRoot('configs', 'grpo-empathy');

/** The tiny policy, two prompts × G 3, 12 new tokens, a length reward (no model to load): about a second per step. */
const tiny = (steps: number, extra: Override[] = []): Override[] => [
  set('model', 'attune-tiny-qwen2'),
  set('trainer.options.steps', steps),
  set('trainer.options.promptsPerStep', 2),
  set('trainer.options.numGenerations', 3),
  set('trainer.options.maxCompletionLength', 12),
  set('trainer.options.microBatchSize', 4),
  set('trainer.options.checkpointEvery', 2),
  set('trainer.options.logCompletionsEvery', 1),
  set('trainer.options.rewards', [{ use: 'rewards/length', options: { unit: 'tokens', min: 6, max: 12, buffer: 4 } }]),
  set('trainer.options.rewardWeights', [1]),
  ...extra,
];

describe('recipe grpo-empathy', () => {
  test('a short run logs rewards, lengths, clip ratios and timings, the completions table and the adapter', async () => {
    const out = join(tempDir(), 'run');
    const outcome = await run(await kernel(), { recipe: 'grpo-empathy', configFile: join(configs, 'cpu-smoke.yaml'), overrides: tiny(3), out });
    assert.equal(outcome.status, 'completed');
    const s = steps(out);
    assert.equal(s.length, 3);
    for (const key of ['reward', 'reward_std', 'rewards/length/mean', 'frac_reward_zero_std', 'completions/mean_length', 'completions/clipped_ratio', 'clip_ratio/region_mean', 'time/generate_s', 'time/score_s', 'time/update_s', 'generate_tokens_per_s', 'grad_norm']) {
      assert.ok(Number.isFinite(s[2]![key]), `${key} logged`);
    }
    assert.ok(s[0]!.logprob_check_max_abs_diff! < 1e-4, `graph vs generator log-probs: ${s[0]!.logprob_check_max_abs_diff}`);
    // TRL's entropy: the policy's mean entropy over completion tokens, between 0 and log V (V = 3072 for the tiny model).
    for (const row of s) assert.ok(row.entropy! > 0 && row.entropy! < Math.log(3072), `entropy ${row.entropy}`);
    assert.equal(s[0]!.kl, undefined, 'β = 0: no KL, no reference forward');
    const lines = readFileSync(join(out, 'completions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; rewards: Record<string, number> });
    assert.deepEqual([...new Set(lines.map((l) => l.step))], [1, 2, 3]);
    assert.equal(lines.filter((l) => l.step === 1).length, 6, 'two prompts × three completions');
    assert.ok(typeof lines[0]!.rewards.length === 'number');
    assert.ok(readFileSync(join(out, 'completions.md'), 'utf8').startsWith('# Completions at step 3'));
    assert.ok(existsSync(join(out, 'final', 'adapter', 'adapter_config.json')));
  });

  test('β > 0 logs the k3 KL to the adapter-off reference', async () => {
    const out = join(tempDir(), 'run');
    const outcome = await run(await kernel(), { recipe: 'grpo-empathy', configFile: join(configs, 'cpu-smoke.yaml'), overrides: tiny(2, [set('objectives', [{ use: 'objectives/grpo', options: { beta: 0.1 } }]), set('trainer.options.lr', 5e-3)]), out });
    assert.equal(outcome.status, 'completed');
    const s = steps(out);
    assert.equal(s[0]!.kl, 0, 'a fresh adapter (B = 0) is the reference: KL 0 exactly');
    assert.ok(s[1]!.kl! > 0, `after an update the policy has moved: KL ${s[1]!.kl}`);
  });

  test('a graph that disagrees with the generator stops the run, naming the token', async () => {
    await assert.rejects(
      run(await kernel(), { recipe: 'grpo-empathy', configFile: join(configs, 'cpu-smoke.yaml'), overrides: tiny(1, [set('trainer.options.logProbTolerance', 1e-12)]), out: join(tempDir(), 'run') }),
      /training graph's log-prob of sampled token \d+ of completion \d+ is -?\d+\.\d+, the generator's/,
    );
  });

  test('rollouts through an OpenAI-compatible server: each round pushes the adapter (load_lora_adapter) and the graph checks the served log-probs every round', async () => {
    const server = await rolloutServer('attune-tiny-qwen2');
    try {
      const out = join(tempDir(), 'run');
      const generation = { backend: 'openai', servers: [server.url] };
      const outcome = await run(await kernel(), { recipe: 'grpo-empathy', configFile: join(configs, 'cpu-smoke.yaml'), overrides: tiny(3, [set('trainer.options.generation', generation), set('trainer.options.lr', 5e-3)]), out });
      assert.equal(outcome.status, 'completed');
      const s = steps(out);
      assert.equal(s.length, 3);
      // After step 1 the adapter has moved: matching log-probs at steps 2 and 3 mean the server sampled from the pushed adapter.
      assert.ok(s[2]!.grad_norm! > 0);
      for (const row of s) assert.ok(row.logprob_check_max_abs_diff! < 1e-4, `step ${row.step}: served vs graph log-probs ${row.logprob_check_max_abs_diff}`);
      assert.deepEqual(await server.models(), ['attune-tiny-qwen2'], 'the last round\'s adapter is unloaded at the end');
      const lines = readFileSync(join(out, 'completions.jsonl'), 'utf8').trim().split('\n');
      assert.equal(lines.length, 18, 'three rounds of two prompts × three completions');
    } finally {
      await server.close();
    }
    // A server on another base refuses the adapter: the run stops naming the server.
    const other = await rolloutServer('attune-small-qwen2');
    try {
      await assert.rejects(
        run(await kernel(), { recipe: 'grpo-empathy', configFile: join(configs, 'cpu-smoke.yaml'), overrides: tiny(1, [set('trainer.options.generation', { backend: 'openai', servers: [other.url] })]), out: join(tempDir(), 'run') }),
        new RegExp(`rollout server ${other.url.replace(/[.]/g, '\\.')} refused the adapter .*rollout-adapter/adapter as 'attune-policy-0' \\(HTTP 400\\)`),
      );
    } finally {
      await other.close();
    }
    await assert.rejects(
      run(await kernel(), { recipe: 'grpo-empathy', configFile: join(configs, 'cpu-smoke.yaml'), overrides: tiny(1, [set('trainer.options.generation', { backend: 'openai', servers: ['http://127.0.0.1:59999'] })]), out: join(tempDir(), 'run') }),
      /rollout server http:\/\/127\.0\.0\.1:59999\/v1\/load_lora_adapter: .*ECONNREFUSED/,
    );
  });

  test('kill and resume in the middle of a generation batch (μ = 2) repeats the uninterrupted run', async () => {
    const overrides = tiny(4, [set('trainer.options.numIterations', 2), set('trainer.options.checkpointEvery', 0), set('trainer.options.lr', 5e-3)]);
    const { straight, broken } = await straightAndResumed({ recipe: 'grpo-empathy', configFile: join(configs, 'cpu-smoke.yaml'), overrides }, (e) => e.step === 3);
    const pick = (rows: Record<string, number>[]) => rows.map((r) => [r.step, r.loss, r.reward, r.grad_norm, r['clip_ratio/region_mean'], r['completions/mean_length']]);
    assert.deepEqual(pick(steps(broken)), pick(steps(straight)));
    const lines = (d: string) => readFileSync(join(d, 'completions.jsonl'), 'utf8');
    assert.equal(lines(broken), lines(straight), 'the completions log is rewound and rewritten, not duplicated');
  });

  test('an XML warm-up stage runs first and GRPO starts from its adapter; a resume after it goes straight on', async () => {
    const overrides = tiny(3, [
      set('trainer.options.decoding', 'decoding/xml-reasoning'),
      set('trainer.options.checkpointEvery', 0),
      set('objectives', [{ use: 'objectives/grpo', options: { beta: 0.1 } }]),
      set('warmup.trainer.options.steps', 3),
      set('warmup.trainer.options.warmupSteps', 0),
    ]);
    const { straight, broken } = await straightAndResumed({ recipe: 'grpo-empathy', configFile: join(configs, 'xml-warmup.yaml'), overrides }, (e) => e.stage === 'grpo' && e.step === 1);
    const s = steps(straight);
    assert.equal(s.filter((r) => r.stage === ('sft-warmup' as unknown as number)).length, 3);
    const grpo = s.filter((r) => r.stage === ('grpo' as unknown as number));
    assert.ok(grpo[0]!.kl! > 0, `the warmed-up adapter is not the reference: KL ${grpo[0]!.kl} at GRPO's first step`);
    assert.ok(Object.keys(grpo[0]!).some((k) => k.startsWith('format/')), 'format statuses logged');
    for (const f of ['sft-warmup/final/adapter/adapter_config.json', 'final/adapter/adapter_config.json']) assert.ok(existsSync(join(straight, f)), `${f} exists`);
    assert.match(readFileSync(join(broken, 'run.log'), 'utf8'), /sft-warmup: finished before; GRPO starts from/);
    const pick = (rows: Record<string, number>[]) => rows.map((r) => [r.stage, r.step, r.loss, r.reward, r.kl]);
    assert.deepEqual(pick(steps(broken)), pick(s));
  });
});
