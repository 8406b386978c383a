/**
 * Recipe `reward-model` on the tiny embedded model and the shipped slices: the loss falls, the
 * held-out metrics are reported and reproduced by the exported folder, that folder loads in
 * `attune classify` and in the reward plugins, kill + resume repeats the straight run, and a
 * loss that does not fit the task is a located error.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fromPackageRoot } from '../../core/base/paths.js';
import type { Override } from '../../core/kernel/config/overrides.js';
import { kernel, run, set, steps, straightAndResumed, tempDir } from './harness.js';
import { runCli } from '../../core/cli/main.js';

const configs = fromPackageRoot('configs', 'reward-model');

const tiny = (steps: number, extra: Override[] = []): Override[] => [
  set('model', 'attune-tiny-qwen2'),
  set('trainer.options.steps', steps),
  set('trainer.options.microBatchSize', 8),
  set('trainer.options.maxLength', 64),
  set('trainer.options.evalEvery', 0),
  set('trainer.options.checkpointEvery', 3),
  set('trainer.options.warmupSteps', 0),
  ...extra,
];

async function attune(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: { write: (t) => (stdout += t) }, stderr: { write: (t) => (stderr += t) } });
  return { code, stdout, stderr };
}

describe('recipe reward-model', () => {
  test('an empathy regressor: the MSE falls, the exported folder reproduces the held-out figures and serves classify and rewards/empathy', async () => {
    const out = join(tempDir(), 'run');
    const outcome = await run(await kernel(), { recipe: 'reward-model', configFile: join(configs, 'cpu-smoke.yaml'), overrides: tiny(30), out });
    assert.equal(outcome.status, 'completed');
    const s = steps(out);
    const mean = (rows: Record<string, number>[]) => rows.reduce((a, r) => a + r.loss!, 0) / rows.length;
    assert.ok(mean(s.slice(-10)) < mean(s.slice(0, 3)) * 0.6, `MSE should fall: first ${mean(s.slice(0, 3)).toFixed(3)}, last ${mean(s.slice(-10)).toFixed(3)}`);
    const metrics = outcome.result?.metrics ?? {};
    for (const k of ['mse', 'mae', 'pearson_r', 'spearman_rho']) {
      assert.ok(Number.isFinite(metrics[`eval_${k}`]), `eval_${k} reported`);
      // The tiny model is stored in float32: the merged export scores as the trained graph does.
      assert.ok(Math.abs(metrics[`exported_${k}`]! - metrics[`eval_${k}`]!) < 1e-4, `${k}: exported ${metrics[`exported_${k}`]}, trained ${metrics[`eval_${k}`]}`);
    }
    const classifier = join(out, 'final', 'classifier');
    const classified = await attune(['classify', '--model', classifier, '--text', 'I am so sorry you are going through this.', '--json']);
    assert.equal(classified.code, 0, classified.stderr);
    const row = JSON.parse(classified.stdout.trim().split('\n')[0]!) as { labels: string[]; logits: number[] };
    assert.deepEqual(row.labels, ['empathy']);
    assert.equal(row.logits.length, 1);
    const completions = join(out, 'completions.jsonl');
    writeFileSync(completions, `${JSON.stringify({ prompt: [{ role: 'user', content: 'My dog died.' }], completion: 'I am so sorry. Losing him must hurt.' })}\n`);
    const rewardConfig = join(out, 'reward.yaml');
    writeFileSync(rewardConfig, `rewards:\n  - use: rewards/empathy\n    options: { model: ${classifier}, range: [0, 5] }\n`);
    const scored = await attune(['score', '--config', rewardConfig, '--data', completions, '--json']);
    assert.equal(scored.code, 0, scored.stderr);
    const score = (JSON.parse(scored.stdout.trim().split('\n')[0]!) as { scores: Record<string, number> }).scores['empathy'];
    assert.ok(typeof score === 'number' && score >= 0 && score <= 1, `rewards/empathy scored ${score}`);
  });

  test('a relevance cross-encoder and a preference model train and report AUC and pair accuracy', async () => {
    const dir = tempDir();
    const k = await kernel();
    const relevance = await run(k, { recipe: 'reward-model', configFile: join(configs, 'relevance.yaml'), overrides: tiny(4, [set('trainer.options.evalExamples', 32)]), out: join(dir, 'relevance') });
    assert.equal(relevance.status, 'completed');
    const r = relevance.result?.metrics ?? {};
    assert.ok(r.eval_auc! >= 0 && r.eval_auc! <= 1 && Number.isFinite(r.eval_bce), `AUC ${r.eval_auc}, bce ${r.eval_bce}`);
    // relevance.yaml reads pairs as chat turns; the exported folder says so, and its own held-out
    // figures (read back through SequenceClassifier, so through that format) equal the training graph's.
    const exportedConfig = JSON.parse(readFileSync(join(dir, 'relevance', 'final', 'classifier', 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(exportedConfig.attune_pair_format, 'chat');
    assert.ok(Math.abs(r.exported_auc! - r.eval_auc!) < 0.02, `exported AUC ${r.exported_auc} vs ${r.eval_auc}`);
    const preference = await run(k, { recipe: 'reward-model', configFile: join(configs, 'preference-counselchat.yaml'), overrides: tiny(4), out: join(dir, 'preference') });
    assert.equal(preference.status, 'completed');
    const p = preference.result?.metrics ?? {};
    assert.ok(p.eval_pair_accuracy! >= 0 && p.eval_pair_accuracy! <= 1 && Number.isFinite(p.eval_bradley_terry), `pair accuracy ${p.eval_pair_accuracy}`);
    assert.ok(Math.abs(p.exported_pair_accuracy! - p.eval_pair_accuracy!) < 1e-9);
    assert.ok(existsSync(join(dir, 'preference', 'final', 'classifier', 'config.json')));
  });

  test('kill and resume reproduces the uninterrupted run step for step', async () => {
    const { straight, broken } = await straightAndResumed({ recipe: 'reward-model', configFile: join(configs, 'cpu-smoke.yaml'), overrides: tiny(6, [set('lora.dropout', 0.1)]) }, (e) => e.step === 3);
    const pick = (rows: Record<string, number>[]) => rows.map((r) => [r.step, r.loss, r.grad_norm, r.lr]);
    assert.deepEqual(pick(steps(broken)), pick(steps(straight)));
  });

  test('a loss that does not fit the task is refused, naming the option and the losses that fit', async () => {
    await assert.rejects(
      run(await kernel(), { recipe: 'reward-model', configFile: join(configs, 'cpu-smoke.yaml'), overrides: tiny(1, [set('trainer.options.loss', 'bradley-terry')]), out: join(tempDir(), 'run') }),
      (error: Error & { hint?: string }) => /trainer\.options\.loss: 'bradley-terry' does not fit regression rows/.test(error.message) && /mse, bce/.test(error.hint ?? ''),
    );
  });
});
