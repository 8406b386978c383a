import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { defineItem, definePlugin } from '../../core/kernel/index.js';
import { fromPackageRoot } from '../../core/base/paths.js';
import { readMetrics } from '../../core/kernel/events/subscribers/metrics-writer.js';
import type { Override } from '../../core/kernel/config/overrides.js';
import { kernel, run, set, steps, straightAndResumed, tempDir } from './harness.js';
import { ops } from '../../core/engine/index.js';
import { SafetensorsFile } from '../../core/model/safetensors/reader.js';
import { openModelFolder } from '../../core/model/folder/open-model-folder.js';
import { loadLoraAdapter } from '../../core/model/lora/index.js';
import type { SftObjective } from '../../core/train/objective.js';

const configs = fromPackageRoot('configs', 'sft-multiobjective');


/** A few steps on the tiny embedded model (the shipped configs use the small one) with short sequences: about a second per run. */
const tiny = (steps: number, extra: Override[] = []): Override[] => [
  set('model', 'attune-tiny-qwen2'),
  set('trainer.options.steps', steps),
  set('trainer.options.microBatchSize', 4),
  set('trainer.options.gradientAccumulation', 2),
  set('trainer.options.maxLength', 96),
  set('trainer.options.bucket', 32),
  set('trainer.options.evalEvery', 0),
  set('trainer.options.evalExamples', 4),
  set('trainer.options.checkpointEvery', 2),
  set('trainer.options.warmupSteps', 0),
  ...extra,
];


describe('recipe sft-multiobjective', () => {
  test('the training loss falls over a short run and the run leaves its artifacts', async () => {
    const out = join(tempDir(), 'run');
    // One small source seen for several epochs, so falling means learning, not easier batches.
    const overrides = tiny(24, [
      set('data.sources', ['sources/ed']),
      set('objectives', [
        { use: 'objectives/lm', options: { weight: 1 } },
        { use: 'objectives/emotion-head', options: { weight: 1 } },
      ]),
      set('trainer.options.lr', 5e-3),
      set('trainer.options.headLrScale', 10),
      set('trainer.options.microBatchSize', 8),
      set('trainer.options.gradientAccumulation', 1),
      set('trainer.options.evalEvery', 12),
      set('trainer.options.checkpointEvery', 12),
    ]);
    const outcome = await run(await kernel(), { recipe: 'sft-multiobjective', configFile: join(configs, 'example.yaml'), overrides, out });
    assert.equal(outcome.status, 'completed');
    const s = steps(out);
    assert.deepEqual(s.map((r) => r.step), Array.from({ length: 24 }, (_, i) => i + 1));
    const mean = (rows: Record<string, number>[]): number => rows.reduce((a, r) => a + (r.loss as number), 0) / rows.length;
    const first = mean(s.slice(0, 4));
    const lastFour = mean(s.slice(-4));
    assert.ok(lastFour < first - 0.1, `loss should fall: first steps ${first.toFixed(3)}, last steps ${lastFour.toFixed(3)}`);
    for (const key of ['loss_lm', 'loss_emotion', 'lr', 'grad_norm', 'tokens_per_s']) assert.ok(Number.isFinite(s[0]?.[key]), `metrics.jsonl has ${key}`);
    const evals = readMetrics(join(out, 'metrics.jsonl')).filter((r) => r.type === 'eval');
    assert.deepEqual(evals.map((r) => r.step), [12, 24]);
    assert.ok(typeof evals[1]?.emotion_macro_f1 === 'number' && typeof evals[1]?.perplexity === 'number');
    for (const f of ['plots', 'final/adapter/adapter_config.json', 'final/adapter/heads.safetensors', 'final/heads.json', 'run_manifest.json']) assert.ok(existsSync(join(out, f)), `${f} exists`);
    const model = await openModelFolder('attune-tiny-qwen2');
    const { state: adapter } = await loadLoraAdapter(join(out, 'final', 'adapter'), model.config);
    assert.equal(adapter.config.r, 16);
    assert.equal(adapter.scale, 2);
    assert.equal(adapter.pairs().length, 14, 'seven projections in two layers');
    assert.ok(adapter.pairs().some((p) => p.b.data.some((v) => v !== 0)), 'B moved away from zero');
  });

  test('an ablation with a zero weight builds no head for it', async () => {
    const out = join(tempDir(), 'run');
    const outcome = await run(await kernel(), { recipe: 'sft-multiobjective', configFile: join(configs, 'ablation-no-emotion.yaml'), overrides: tiny(1), out });
    assert.equal(outcome.status, 'completed');
    const heads = (await SafetensorsFile.open(join(out, 'final', 'adapter', 'heads.safetensors'))).names().sort();
    assert.deepEqual(heads, ['heads.strategy.bias', 'heads.strategy.weight']);
    const row = steps(out)[0] as Record<string, number>;
    assert.equal(row.loss_emotion, undefined);
    assert.ok(Number.isFinite(row.loss_strategy));
    assert.match(readFileSync(join(out, 'run.log'), 'utf8'), /objectives\/emotion-head: weight 0, not built/);
  });

  test('kill and resume reproduces the uninterrupted run step for step', async () => {
    // Dropout on, safety KL on: resume must restore the dropout stream, sampler, optimizer and heads.
    const overrides = tiny(6, [
      set('objectives', [
        { use: 'objectives/lm', options: { weight: 1 } },
        { use: 'objectives/emotion-head', options: { weight: 0.2 } },
        { use: 'objectives/strategy-head', options: { weight: 0.2 } },
        { use: 'objectives/safety-kl', options: { weight: 0.1 } },
      ]),
    ]);
    const { straight, broken } = await straightAndResumed({ recipe: 'sft-multiobjective', configFile: join(configs, 'example.yaml'), overrides }, (e) => e.step === 3);
    const keys = ['loss', 'loss_lm', 'loss_emotion', 'loss_strategy', 'loss_safety_kl', 'objective', 'grad_norm', 'lr'];
    const pick = (rows: Record<string, number>[]) => rows.map((r) => Object.fromEntries(keys.map((key) => [key, r[key]])));
    assert.deepEqual(pick(steps(broken)), pick(steps(straight)));
    const kl = steps(straight).map((r) => r.loss_safety_kl as number);
    assert.ok(kl.every((v) => Number.isFinite(v)) && (kl[5] as number) > 0, `safety KL per step: ${kl.join(", ")}`);
  });

  test('a NaN stops the run naming the step and the loss term', async () => {
    // A third-party objective whose loss is sqrt(p − 0.75): descent drives p below 0.75 within a few steps.
    const probe = definePlugin({
      name: 'probe',
      version: '1.0.0',
      register(ctx) {
        ctx.objectives.register(
          'sqrt',
          defineItem({
            kind: 'sft',
            description: 'goes NaN once its parameter crosses 0.75',
            options: z.strictObject({ weight: z.number().default(1) }),
            create: (o): SftObjective => ({
              kind: 'sft',
              name: 'probe',
              weight: o.weight,
              build: (ctx) => ({ loss: ops.sqrt(ops.sum(ops.sub(ctx.parameter('p', [1], { kind: 'constant', value: 1 }), 0.75))) }),
            }),
          }),
        );
      },
    });
    const out = join(tempDir(), 'run');
    const overrides = tiny(20, [
      set('objectives', [{ use: 'objectives/lm', options: { weight: 1 } }, { use: 'probe/sqrt', options: { weight: 1 } }]),
      set('trainer.options.lr', 0.05),
      set('trainer.options.schedule', 'constant'),
      set('trainer.options.checkpointEvery', 0),
    ]);
    await assert.rejects(
      run(await kernel([probe]), { recipe: 'sft-multiobjective', configFile: join(configs, 'example.yaml'), overrides, out }),
      (error: Error) => {
        const done = steps(out).length;
        assert.ok(done >= 1 && done < 20, `stopped after ${done} steps`);
        assert.match(error.message, new RegExp(`Non-finite loss at step ${done + 1}: loss term 'probe' is NaN`));
        return true;
      },
    );
    const manifest = JSON.parse(readFileSync(join(out, 'run_manifest.json'), 'utf8')) as { status: string; error: string };
    assert.equal(manifest.status, 'failed');
    assert.match(manifest.error, /step \d+: loss term 'probe'/);
  });

  test('a misspelt evalSplit is an error naming the splits there are, not a run that evaluates nothing', async () => {
    await assert.rejects(
      run(await kernel(), { recipe: 'sft-multiobjective', overrides: tiny(1, [set('trainer.options.evalSplit', 'valdation')]), out: join(tempDir(), 'run') }),
      /evalSplit 'valdation': none of the sources \(sources\/ed, sources\/esconv, sources\/goemotions\) has such a split; they have train, validation, test\. Did you mean 'validation'\?/,
    );
  });

  test('the examples that do not fit maxLength are counted by source in the warning', async () => {
    const warnings: string[] = [];
    const outcome = await run(await kernel(), {
      recipe: 'sft-multiobjective',
      overrides: tiny(1, [set('trainer.options.maxLength', 40), set('trainer.options.bucket', 8)]),
      out: join(tempDir(), 'run'),
      onBus: (bus) => bus.on('warning', (w: { message: string }) => warnings.push(w.message)),
    });
    assert.equal(outcome.status, 'completed');
    const line = warnings.find((w) => /did not fit maxLength 40/.test(w));
    assert.ok(line, warnings.join('\n'));
    const counts = [...line.matchAll(/(\w+) (\d+)(?=[,)])/g)].map((m) => [m[1], Number(m[2])] as const);
    assert.ok(counts.length >= 1 && counts.every(([source]) => ['ed', 'esconv', 'goemotions'].includes(source!)), line);
    assert.equal(counts.reduce((n, [, c]) => n + c, 0), Number(/: (\d+) examples/.exec(line)![1]), 'the per-source counts add up');
    assert.match(line, /raise trainer\.options\.maxLength to keep them/);
  });

  test('a finished run with a constant learning rate can be trained longer, exactly as a run of that length; the rest is refused with the reason', async () => {
    const constant = (steps: number) => tiny(steps, [set('trainer.options.schedule', 'constant'), set('trainer.options.checkpointEvery', 2), set('trainer.options.maxLength', 64)]);
    const straight = join(tempDir(), 'straight');
    assert.equal((await run(await kernel(), { recipe: 'sft-multiobjective', overrides: constant(6), out: straight })).status, 'completed');
    const extended = join(tempDir(), 'extended');
    assert.equal((await run(await kernel(), { recipe: 'sft-multiobjective', overrides: constant(4), out: extended })).status, 'completed');
    const longer = await run(await kernel(), { recipe: 'sft-multiobjective', resume: extended, overrides: [set('trainer.options.steps', 6)] });
    assert.equal(longer.status, 'completed');
    const pick = (dir: string) => steps(dir).map((r) => [r.step, r.loss, r.grad_norm]);
    assert.deepEqual(pick(extended), pick(straight), 'steps 1–6, none twice, equal to the 6-step run');
    const manifest = JSON.parse(readFileSync(join(extended, 'run_manifest.json'), 'utf8')) as { config: { trainer: { options: { steps: number } } }; overrides: string[] };
    assert.equal(manifest.config.trainer.options.steps, 6);
    assert.ok(manifest.overrides.includes('trainer.options.steps=6'));

    const refused = async (overrides: ReturnType<typeof set>[], message: RegExp, dir = extended) => assert.rejects(run(await kernel(), { recipe: 'sft-multiobjective', resume: dir, overrides }), message);
    await refused([set('trainer.options.lr', 1e-3)], /trainer\.options\.lr=0\.001 changes more than the step budget/);
    await refused([set('trainer.options.steps', 5)], /must raise trainer\.options\.steps above the 6 steps it ran/);
    await assert.rejects(run(await kernel(), { recipe: 'sft-multiobjective', resume: extended }), /already completed; nothing to resume/);
    const cosine = join(tempDir(), 'cosine');
    await run(await kernel(), { recipe: 'sft-multiobjective', overrides: tiny(2, [set('trainer.options.checkpointEvery', 2), set('trainer.options.maxLength', 64)]), out: cosine });
    await refused([set('trainer.options.steps', 4)], /follows a cosine schedule over 2 steps; over more steps the finished ones would have had other rates/, cosine);
  });

  test('a resume that finds no checkpoint says so, starts the stage again and leaves no step twice in metrics.jsonl', async () => {
    const out = join(tempDir(), 'run');
    const overrides = tiny(3, [set('trainer.options.maxLength', 64)]);
    assert.equal((await run(await kernel(), { recipe: 'sft-multiobjective', overrides, out, onBus: (bus) => bus.on('step', (e: { step: number }) => (e.step === 2 ? void process.emit('SIGINT', 'SIGINT') : undefined)) })).status, 'interrupted');
    // As if the process had been killed before any checkpoint was written.
    rmSync(join(out, 'checkpoints'), { recursive: true, force: true });
    const warnings: string[] = [];
    const resumed = await run(await kernel(), { recipe: 'sft-multiobjective', resume: out, onBus: (bus) => bus.on('warning', (w: { message: string }) => warnings.push(w.message)) });
    assert.equal(resumed.status, 'completed');
    assert.ok(warnings.some((w) => /sft: the run has no checkpoint to resume from; sft starts again from step 0/.test(w)), warnings.join('\n'));
    assert.deepEqual(steps(out).map((r) => r.step), [1, 2, 3]);
  });
});
