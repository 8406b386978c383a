/**
 * The shared stage loop with a toy StageWork (one parameter, loss = Σ (p − t)², gradient 2(p − t)):
 * the optimizer step matches a float64 AdamW step worked here, clipping and lr are logged, the
 * checkpoint cadence and final artifacts happen, an interrupted run resumes bit-identically, a
 * non-finite gradient stops naming the step, and a second stage is numbered by the run.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { z } from 'zod';
import { defineRecipe, definePlugin } from '../../core/kernel/index.js';
import { Kernel } from '../../core/kernel/kernel.js';
import { runRecipe } from '../../core/kernel/runs/run-recipe.js';
import type { RunOptions } from '../../core/kernel/runs/run-recipe.js';
import { readMetrics } from '../../core/kernel/events/subscribers/metrics-writer.js';
import { runStage, stageLoopOptions } from '../../core/train/index.js';
import type { StageWork } from '../../core/train/index.js';
import type { Parameter } from '../../core/engine/index.js';

const TARGET = [1, -2];

function toyWork(p: Parameter, poisonAt = 0): StageWork {
  let draws = 0;
  return {
    parameters: [p],
    runStep: async ({ step, accumulator }) => {
      draws++;
      const g = new Float32Array(p.data.map((v, i) => 2 * (v - TARGET[i]!)));
      if (step === poisonAt) g[1] = Number.NaN;
      accumulator.add({ [p.name]: g });
      const loss = p.data.reduce((s, v, i) => s + (v - TARGET[i]!) ** 2, 0);
      return { gradients: accumulator.finish(), metrics: { loss }, samples: 1 };
    },
    evaluate: async () => ({ distance: Math.hypot(...p.data.map((v, i) => v - TARGET[i]!)) }),
    state: () => ({ draws }),
    restore: (value) => {
      draws = (value as { draws: number }).draws;
    },
    saveWeights: async (dir) => writeFileSync(join(dir, 'p.json'), JSON.stringify([...p.data])),
    loadWeights: async (dir) => p.data.set(JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8')) as number[]),
    saveFinal: async (dir) => writeFileSync(join(dir, 'p.json'), JSON.stringify([...p.data])),
  };
}

const toyRecipe = (poisonAt: number) =>
  defineRecipe({
    description: 'toy stages',
    stages: [
      { name: 'first', description: 'toy' },
      { name: 'second', description: 'toy' },
    ],
    defaultConfig: join(import.meta.dirname, 'missing.yaml'),
    config: () => z.strictObject({ trainer: stageLoopOptions, twoStages: z.boolean().default(false) }),
    run: async (config, run) => {
      const p: Parameter = { name: 'p', shape: [2], data: new Float32Array([0, 0]) };
      const first = await runStage(run, { stage: 'first', options: config.trainer, work: toyWork(p, poisonAt) });
      if (!config.twoStages || first.interrupted) return { metrics: { steps: first.steps } };
      const second = await runStage(run, { stage: 'second', options: config.trainer, work: toyWork(p) });
      return { metrics: { steps: first.steps + second.steps, ...second.metrics } };
    },
  });

async function kernel(poisonAt = 0): Promise<Kernel> {
  return new Kernel().load({ builtins: [definePlugin({ name: 'toy', version: '1.0.0', register: (ctx) => ctx.recipes.register('toy', toyRecipe(poisonAt)) })] });
}

function config(dir: string, trainer: Record<string, unknown>, extra = ''): string {
  const file = join(dir, `toy-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ trainer: { steps: 4, lr: 0.1, schedule: 'constant', maxGradNorm: null, evalEvery: 0, checkpointEvery: 2, ...trainer } }).replace(/}$/, `${extra}}`));
  return file;
}

const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'attune-stage-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

const steps = (runDir: string, stage = 'first') => readMetrics(join(runDir, 'metrics.jsonl')).filter((r) => r.type === 'step' && r.stage === stage) as unknown as Record<string, number>[];
const run = (k: Kernel, o: RunOptions) => runRecipe(k, { ...o, interactive: false });

test('one step is an AdamW step (worked in float64), logged with lr and grad norm; checkpoints and final artifacts follow the cadence', async () => {
  const dir = tempDir();
  const out = join(dir, 'run');
  assert.equal((await run(await kernel(), { recipe: 'toy', configFile: config(dir, { steps: 2 }), out })).status, 'completed');
  // AdamW step 1 from p = 0: g = 2(0 − t) = [−2, 4]; m̂ = g, v̂ = g², update = lr · g/(|g| + ε) = lr · sign(g).
  const p1 = [0.1, -0.1];
  const rows = steps(out);
  assert.equal(rows[0]!.loss, 1 + 4);
  assert.ok(Math.abs(rows[0]!.grad_norm! - Math.hypot(-2, 4)) < 1e-6);
  assert.equal(rows[0]!.lr, 0.1);
  assert.ok(Math.abs(rows[1]!.loss! - ((p1[0]! - 1) ** 2 + (p1[1]! + 2) ** 2)) < 1e-6, `loss at step 2: ${rows[1]!.loss}`);
  assert.ok(existsSync(join(out, 'checkpoints', 'first-step-000002', 'optimizer.safetensors')));
  const state = JSON.parse(readFileSync(join(out, 'checkpoints', 'first-step-000002', 'trainer_state.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(state, { version: 2, stage: 'first', step: 2, trainer: { draws: 2 } });
  assert.ok(existsSync(join(out, 'final', 'p.json')));
  const evals = readMetrics(join(out, 'metrics.jsonl')).filter((r) => r.type === 'eval');
  assert.equal(evals.length, 1, 'evalEvery 0: evaluated once, at the end');
});

/** Float64 AdamW (β 0.9/0.999, ε 1e-8, no decay) on the toy loss with global-norm clipping: the losses before each step. */
function referenceLosses(steps: number, lr: number, clip: number | null): number[] {
  const p = [0, 0];
  const m = [0, 0];
  const v = [0, 0];
  const losses: number[] = [];
  for (let t = 1; t <= steps; t++) {
    losses.push(p.reduce((s, x, i) => s + (x - TARGET[i]!) ** 2, 0));
    let g = p.map((x, i) => 2 * (x - TARGET[i]!));
    const norm = Math.hypot(...g);
    if (clip !== null && norm > clip) g = g.map((x) => (x * clip) / (norm + 1e-6));
    for (let i = 0; i < 2; i++) {
      m[i] = 0.9 * m[i]! + 0.1 * g[i]!;
      v[i] = 0.999 * v[i]! + 0.001 * g[i]! ** 2;
      const mHat = m[i]! / (1 - 0.9 ** t);
      const vHat = v[i]! / (1 - 0.999 ** t);
      p[i] = p[i]! - (lr * mHat) / (Math.sqrt(vHat) + 1e-8);
    }
  }
  return losses;
}

test('clipping and AdamW over several steps match a float64 reference; grad_norm is logged before clipping', async () => {
  const dir = tempDir();
  for (const clip of [null, 0.5]) {
    const out = join(dir, `run-${clip}`);
    await run(await kernel(), { recipe: 'toy', configFile: config(dir, { steps: 5, maxGradNorm: clip }), out });
    const rows = steps(out);
    const expected = referenceLosses(5, 0.1, clip);
    rows.forEach((r, i) => assert.ok(Math.abs(r.loss! - expected[i]!) < 1e-5, `clip ${clip}, step ${i + 1}: ${r.loss} vs ${expected[i]}`));
    assert.ok(Math.abs(rows[0]!.grad_norm! - Math.hypot(-2, 4)) < 1e-6, 'grad_norm is the norm before clipping');
  }
  assert.notDeepEqual(referenceLosses(5, 0.1, null), referenceLosses(5, 0.1, 0.5), 'the reference tells clipped from unclipped');
});

test('an interrupted stage resumes from its checkpoint and ends bit-identical to an uninterrupted run', async () => {
  const dir = tempDir();
  const k = await kernel();
  const file = config(dir, { steps: 6, checkpointEvery: 0 });
  const straight = join(dir, 'straight');
  await run(k, { recipe: 'toy', configFile: file, out: straight });
  const broken = join(dir, 'broken');
  const first = await run(k, { recipe: 'toy', configFile: file, out: broken, onBus: (bus) => bus.on('step', (e) => (e.step === 3 ? void process.emit('SIGINT', 'SIGINT') : undefined)) });
  assert.equal(first.status, 'interrupted');
  assert.ok(existsSync(join(broken, 'checkpoints', 'first-step-000003')), 'an interruption checkpoints even with checkpointEvery 0');
  assert.equal((await run(k, { recipe: 'toy', resume: broken })).status, 'completed');
  const pick = (rows: Record<string, number>[]) => rows.map((r) => [r.step, r.loss, r.grad_norm, r.lr]);
  assert.deepEqual(pick(steps(broken)), pick(steps(straight)));
  assert.equal(readFileSync(join(broken, 'final', 'p.json'), 'utf8'), readFileSync(join(straight, 'final', 'p.json'), 'utf8'));
});

test('a damaged latest checkpoint falls back to the previous one; with none left the stage restarts without duplicate rows', async () => {
  const dir = tempDir();
  const k = await kernel();
  const file = config(dir, { steps: 6, checkpointEvery: 2 });
  const straight = join(dir, 'straight');
  await run(k, { recipe: 'toy', configFile: file, out: straight });
  const broken = join(dir, 'broken');
  await run(k, { recipe: 'toy', configFile: file, out: broken, onBus: (bus) => bus.on('step', (e) => (e.step === 5 ? void process.emit('SIGINT', 'SIGINT') : undefined)) });
  // The interruption saved step 5; truncate its optimizer state, as a full disk would.
  const optimizer = join(broken, 'checkpoints', 'first-step-000005', 'optimizer.safetensors');
  writeFileSync(optimizer, readFileSync(optimizer).subarray(0, 20));
  const warnings: string[] = [];
  assert.equal((await run(k, { recipe: 'toy', resume: broken, onBus: (bus) => bus.on('warning', (w) => warnings.push(w.message)) })).status, 'completed');
  assert.ok(warnings.some((w) => /first-step-000005: optimizer\.safetensors has 20 bytes/.test(w)), warnings.join(' | '));
  assert.ok(warnings.some((w) => /resuming from .*first-step-000004/.test(w)), warnings.join(' | '));
  const pick = (rows: Record<string, number>[]) => rows.map((r) => [r.step, r.loss, r.grad_norm, r.lr]);
  assert.deepEqual(pick(steps(broken)), pick(steps(straight)), 'steps 5–6 redone from step 4, each logged once');

  const none = join(dir, 'none');
  await run(k, { recipe: 'toy', configFile: file, out: none, onBus: (bus) => bus.on('step', (e) => (e.step === 3 ? void process.emit('SIGINT', 'SIGINT') : undefined)) });
  rmSync(join(none, 'checkpoints'), { recursive: true, force: true });
  assert.equal((await run(k, { recipe: 'toy', resume: none })).status, 'completed');
  assert.deepEqual(pick(steps(none)), pick(steps(straight)), 'restarted from step 0 with no duplicate step rows');
});

test('a stop signal during the final eval and save leaves a completed run with its metrics', async () => {
  const dir = tempDir();
  const out = join(dir, 'run');
  const outcome = await run(await kernel(), { recipe: 'toy', configFile: config(dir, { steps: 3 }), out, onBus: (bus) => bus.on('eval', (e) => (e.step === 3 ? void process.emit('SIGINT', 'SIGINT') : undefined)) });
  assert.equal(outcome.status, 'completed');
  const manifest = JSON.parse(readFileSync(join(out, 'run_manifest.json'), 'utf8')) as { status: string; metrics?: Record<string, number> };
  assert.equal(manifest.status, 'completed');
  assert.deepEqual(manifest.metrics, { steps: 3 });
  assert.ok(existsSync(join(out, 'final', 'p.json')));
});

test('a non-finite gradient stops the run naming the step', async () => {
  const dir = tempDir();
  await assert.rejects(run(await kernel(3), { recipe: 'toy', configFile: config(dir, { steps: 5 }), out: join(dir, 'run') }), /step 3/);
});

test('stages are numbered by the run from the recipe’s declared stages; a later stage writes its own final directory', async () => {
  const dir = tempDir();
  const out = join(dir, 'run');
  const starts: { stage: string; index: number; count: number }[] = [];
  await run(await kernel(), { recipe: 'toy', configFile: config(dir, { steps: 2 }, ', "twoStages": true'), out, onBus: (bus) => bus.on('stage:start', (e) => void starts.push({ stage: e.stage, index: e.index, count: e.count })) });
  assert.deepEqual(starts, [
    { stage: 'first', index: 0, count: 2 },
    { stage: 'second', index: 1, count: 2 },
  ]);
  assert.ok(existsSync(join(out, 'final', 'p.json')) && existsSync(join(out, 'second', 'final', 'p.json')));
  assert.equal(steps(out, 'second').length, 2);
});
