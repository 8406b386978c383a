/**
 * Recipe `dpo` on the tiny embedded model and the shipped CounselChat pairs: at step 0 (policy =
 * reference) every implicit reward is 0 and the sigmoid loss is log 2; reference log-probs
 * precomputed once equal the ones scored before each step; one micro-batch of four pairs and
 * four micro-batches of one give the same step (every term, the SFT term's token mean included,
 * is normalized over the whole step); kill + resume repeats the uninterrupted run and reuses the
 * cached reference; the held-out pairs are evaluated; the reference adapter is saved.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fromPackageRoot } from '../../core/base/paths.js';
import type { Override } from '../../core/kernel/config/overrides.js';
import { readMetrics } from '../../core/kernel/events/subscribers/metrics-writer.js';
import { kernel, run, set, steps, straightAndResumed, tempDir } from './harness.js';

const configFile = fromPackageRoot('configs', 'dpo', 'example.yaml');

const tiny = (n: number, extra: Override[] = []): Override[] => [
  set('model', 'attune-tiny-qwen2'),
  set('lora', { r: 4, alpha: 8, dropout: 0 }),
  set('trainer.options.steps', n),
  set('trainer.options.maxLength', 160),
  set('trainer.options.bucket', 32),
  set('trainer.options.microBatchSize', 2),
  set('trainer.options.gradientAccumulation', 2),
  set('trainer.options.lr', 2e-3),
  set('trainer.options.schedule', 'constant'),
  set('trainer.options.warmupSteps', 0),
  set('trainer.options.evalEvery', 0),
  set('trainer.options.evalPairs', 6),
  set('trainer.options.checkpointEvery', 2),
  ...extra,
];

const runDpo = async (overrides: Override[]): Promise<string> => {
  const out = join(tempDir(), 'run');
  const outcome = await run(await kernel(), { recipe: 'dpo', configFile, overrides, out });
  assert.equal(outcome.status, 'completed');
  return out;
};

const near = (a: number | undefined, b: number | undefined, tol: number, what: string): void => assert.ok(Math.abs(a! - b!) <= tol, `${what}: ${a} vs ${b}`);

describe('recipe dpo', () => {
  test('step 0: rewards are 0 and the sigmoid loss is log 2; later steps separate chosen from rejected; held-out pairs evaluated', async () => {
    const out = await runDpo(tiny(4));
    const s = steps(out);
    assert.equal(s.length, 4);
    for (const key of ['rewards/chosen', 'rewards/rejected', 'rewards/margins']) near(s[0]![key], 0, 1e-5, `step 1 ${key}`);
    near(s[0]!.loss_sigmoid, Math.LN2, 1e-5, 'step 1 loss');
    assert.equal(s[0]!['rewards/accuracies'], 0, 'no pair has h_c > h_r while the policy is the reference');
    assert.ok(s[0]!['logps/chosen']! < 0 && s[0]!['logps/rejected']! < 0);
    assert.ok(s[3]!['rewards/margins']! > 0, `the margin grows on the pairs trained on: ${s[3]!['rewards/margins']}`);
    const evals = readMetrics(join(out, 'metrics.jsonl')).filter((r) => r.type === 'eval') as unknown as Record<string, number>[];
    assert.equal(evals.length, 1);
    assert.equal(evals[0]!.pairs, 6);
    assert.ok(Number.isFinite(evals[0]!['rewards/accuracies']));
    assert.ok(existsSync(join(out, 'dpo', 'reference', 'adapter', 'adapter_model.safetensors')), 'the reference adapter is kept for resume');
    assert.ok(existsSync(join(out, 'final', 'adapter', 'adapter_config.json')));
  });

  test('precomputed reference log-probs equal the ones scored before each step', async () => {
    const pre = steps(await runDpo(tiny(3, [set('trainer.options.precomputeRefLogProbs', true)])));
    const live = steps(await runDpo(tiny(3, [set('trainer.options.precomputeRefLogProbs', false)])));
    for (let i = 0; i < 3; i++) for (const key of ['loss', 'rewards/chosen', 'rewards/rejected', 'logps/chosen']) near(pre[i]![key], live[i]![key], 2e-5, `step ${i + 1} ${key}`);
  });

  test('one micro-batch of 4 pairs or 4 of 1: the same step, an RPO sft term included', async () => {
    const rpo = set('objectives', [{ use: 'objectives/dpo', options: { lossType: ['sigmoid', 'sft'], lossWeights: [1, 0.5] } }]);
    const one = steps(await runDpo(tiny(2, [rpo, set('trainer.options.microBatchSize', 4), set('trainer.options.gradientAccumulation', 1)])));
    const four = steps(await runDpo(tiny(2, [rpo, set('trainer.options.microBatchSize', 1), set('trainer.options.gradientAccumulation', 4)])));
    for (let i = 0; i < 2; i++) for (const key of ['loss', 'loss_sigmoid', 'loss_sft', 'grad_norm', 'rewards/margins']) near(one[i]![key], four[i]![key], 2e-5 * Math.max(1, Math.abs(one[i]![key]!)), `step ${i + 1} ${key}`);
    near(one[0]!.loss, one[0]!.loss_sigmoid! + 0.5 * one[0]!.loss_sft!, 1e-5, 'loss = sigmoid + 0.5·sft');
  });

  test('kill and resume inside the stage repeats the uninterrupted run and reads the cached reference', async () => {
    const overrides = tiny(4, [set('trainer.options.precomputeRefLogProbs', true)]);
    const { straight, broken } = await straightAndResumed({ recipe: 'dpo', configFile, overrides }, (e) => e.step === 2);
    const pick = (rows: Record<string, number>[]) => rows.map((r) => [r.step, r.loss, r.grad_norm, r['rewards/margins'], r['logps/chosen']]);
    assert.deepEqual(pick(steps(broken)), pick(steps(straight)));
    const log = readFileSync(join(broken, 'run.log'), 'utf8');
    assert.equal(log.match(/reference log-probs of \d+ train pairs scored/g)?.length, 1, 'the resumed run reads the cache instead of scoring again');
    assert.match(log, /reference adapter read from/);
  });
});
