import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { defineRecipe, definePlugin } from '../../core/kernel/index.js';
import { Kernel } from '../../core/kernel/kernel.js';
import { writeDirAtomic, writeFileAtomic } from '../../core/base/atomic-write.js';
import { CheckpointStore } from '../../core/kernel/runs/checkpoint-store.js';
import { readMetrics } from '../../core/kernel/events/subscribers/metrics-writer.js';
import { runRecipe } from '../../core/kernel/runs/run-recipe.js';
import type { RunManifest } from '../../core/kernel/runs/manifest.js';
import { EventBus } from '../../core/kernel/events/event-bus.js';
import { fixtureKernel, fixturePluginPath, tempDir } from './helpers.js';

describe('atomic writes', () => {
  test('a failed write leaves the old file and no temp files', async () => {
    const dir = tempDir();
    const file = join(dir, 'state.json');
    await writeFileAtomic(file, 'old');
    // A directory at the temp path's target makes rename fail: simulate with a data type error.
    await assert.rejects(writeFileAtomic(file, 42 as unknown as string));
    assert.equal(readFileSync(file, 'utf8'), 'old');
    assert.deepEqual(readdirSync(dir), ['state.json']);
  });

  test('a directory is published whole or not at all', async () => {
    const dir = tempDir();
    const target = join(dir, 'ckpt');
    await writeDirAtomic(target, async (tmp) => writeFileSync(join(tmp, 'a.bin'), 'v1'));
    await assert.rejects(
      writeDirAtomic(target, async (tmp) => {
        writeFileSync(join(tmp, 'a.bin'), 'v2-partial');
        throw new Error('disk full');
      }),
      /disk full/,
    );
    assert.equal(readFileSync(join(target, 'a.bin'), 'utf8'), 'v1');
    assert.deepEqual(readdirSync(dir), ['ckpt']);
    await writeDirAtomic(target, async (tmp) => writeFileSync(join(tmp, 'b.bin'), 'v2'));
    assert.deepEqual(readdirSync(target), ['b.bin']);
  });
});

describe('checkpoint store', () => {
  const latestOf = async (store: CheckpointStore) => (await store.resumePoint()).checkpoint;
  const saveSteps = async (store: CheckpointStore, steps: number[]) => {
    for (const step of steps) await store.save('sft', step, async (d) => writeFileSync(join(d, 'step.txt'), String(step).repeat(100)));
  };

  test('resume takes the newest complete checkpoint and old ones are pruned', async () => {
    const store = new CheckpointStore(join(tempDir(), 'checkpoints'), 2);
    assert.equal(await latestOf(store), undefined);
    await saveSteps(store, [10, 20, 30]);
    const latest = (await latestOf(store))!;
    assert.equal(latest.step, 30);
    assert.equal(readFileSync(join(latest.path, 'step.txt'), 'utf8'), '30'.repeat(100));
    assert.deepEqual(store.list().map((c) => c.step), [20, 30]);
    await assert.rejects(store.save('sft', 40, async () => Promise.reject(new Error('crash'))));
    assert.equal((await latestOf(store))!.step, 30, 'a failed save keeps the previous checkpoint current');
  });

  test('a missing, dangling or garbage latest.json falls back to scanning, and says so', async () => {
    const dir = join(tempDir(), 'checkpoints');
    const store = new CheckpointStore(dir, 0);
    await saveSteps(store, [10, 20]);
    for (const [label, damage] of [
      ['missing', () => rmSync(join(dir, 'latest.json'))],
      ['dangling', () => writeFileSync(join(dir, 'latest.json'), JSON.stringify({ step: 90, stage: 'sft', dir: 'sft-step-000090' }))],
      ['garbage', () => writeFileSync(join(dir, 'latest.json'), '{"step": 2')],
    ] as const) {
      damage();
      const point = await store.resumePoint();
      assert.equal(point.checkpoint?.step, 20, label);
      assert.ok(point.notes.some((n) => /latest\.json/.test(n)), `${label}: ${point.notes.join(' | ')}`);
      assert.ok(point.notes.some((n) => /resuming from .*sft-step-000020/.test(n)), label);
    }
  });

  test('a truncated or altered checkpoint is skipped for the previous complete one', async () => {
    const dir = join(tempDir(), 'checkpoints');
    const store = new CheckpointStore(dir, 0);
    await saveSteps(store, [10, 20, 30]);
    const file = join(dir, 'sft-step-000030', 'step.txt');
    writeFileSync(file, '30');
    let point = await store.resumePoint();
    assert.equal(point.checkpoint?.step, 20);
    assert.match(point.notes[0]!, /sft-step-000030: step\.txt has 2 bytes, 200 were written/);
    writeFileSync(join(dir, 'sft-step-000020', 'step.txt'), '21'.repeat(100));
    point = await store.resumePoint();
    assert.equal(point.checkpoint?.step, 10);
    assert.ok(point.notes.some((n) => /sft-step-000020: step\.txt does not match its checksum/.test(n)));
    writeFileSync(join(dir, 'sft-step-000010', 'checkpoint.json'), '{"version": 1, "files": ');
    point = await store.resumePoint();
    assert.equal(point.checkpoint, undefined);
    assert.match(point.notes.at(-1)!, /no checkpoint verifies; starting from step 0/);
    // A checkpoint from before checksums (no manifest at all) is still resumable, with a note.
    rmSync(join(dir, 'sft-step-000010', 'checkpoint.json'));
    point = await store.resumePoint();
    assert.equal(point.checkpoint?.step, 10);
    assert.ok(point.notes.some((n) => /sft-step-000010 has no checkpoint\.json \(saved by an older Attune\)/.test(n)));
  });

  test('temporary directories of a killed save are removed when the store opens', async () => {
    const dir = join(tempDir(), 'checkpoints');
    await saveSteps(new CheckpointStore(dir), [10]);
    mkdirSync(join(dir, '.sft-step-000020.4242.abc.tmp'));
    writeFileSync(join(dir, '.sft-step-000020.4242.abc.tmp', 'weights.bin'), 'partial');
    new CheckpointStore(dir);
    assert.deepEqual(readdirSync(dir).sort(), ['latest.json', 'sft-step-000010']);
  });
});

describe('event bus', () => {
  test('a failing subscriber is removed and reported, others keep receiving', () => {
    const bus = new EventBus();
    const seen: number[] = [];
    const warnings: string[] = [];
    bus.on('warning', (e) => warnings.push(e.message));
    bus.on('step', () => {
      throw new Error('plot writer broke');
    });
    bus.on('step', (e) => seen.push(e.step));
    bus.emit('step', { stage: 's', step: 1, metrics: {} });
    bus.emit('step', { stage: 's', step: 2, metrics: {} });
    assert.deepEqual(seen, [1, 2]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /subscriber for 'step' failed and was removed: Error: plot writer broke/);
  });
});

describe('runs', () => {
  test('a run directory holds the manifest, effective config, metrics and log', async () => {
    const kernel = await fixtureKernel();
    const out = join(tempDir(), 'run');
    const outcome = await runRecipe(kernel, {
      recipe: 'count-lines',
      configFile: join(fixturePluginPath, 'count-lines.yaml'),
      overrides: [{ path: ['limit'], value: 2, source: 'limit=2' }],
      out,
    });
    assert.equal(outcome.status, 'completed');
    assert.deepEqual(outcome.result?.metrics, { examples: 2, loss: 0.5 });
    const manifest = JSON.parse(readFileSync(join(out, 'run_manifest.json'), 'utf8')) as RunManifest;
    assert.equal(manifest.recipe, 'count-lines');
    assert.equal(manifest.status, 'completed');
    assert.equal(manifest.seed, 7);
    assert.equal(manifest.config.limit, 2);
    assert.deepEqual(manifest.overrides, ['limit=2']);
    assert.equal(manifest.versions.node, process.versions.node);
    assert.match(manifest.versions['onnxruntime-node'] ?? '', /^\d+\.\d+\.\d+/);
    assert.equal(manifest.plugins[0]?.name, 'fixture');
    assert.ok(manifest.endedAt && manifest.startedAt <= manifest.endedAt);
    if (manifest.git) assert.match(manifest.git.commit, /^[0-9a-f]{40}$/);
    assert.match(readFileSync(join(out, 'config.yaml'), 'utf8'), /limit: 2/);
    const steps = readMetrics(join(out, 'metrics.jsonl')).filter((r) => r.type === 'step');
    assert.deepEqual(steps.map((r) => r.step), [1, 2]);
    assert.match(readFileSync(join(out, 'run.log'), 'utf8'), /run end: completed/);
  });

  test('a run directory that is not empty is refused', async () => {
    const kernel = await fixtureKernel();
    const out = tempDir();
    writeFileSync(join(out, 'precious.txt'), 'keep');
    await assert.rejects(runRecipe(kernel, { recipe: 'count-lines', configFile: join(fixturePluginPath, 'count-lines.yaml'), out }), /already exists and is not empty/);
    assert.equal(readFileSync(join(out, 'precious.txt'), 'utf8'), 'keep');
  });

  // A recipe that checkpoints every step and can be interrupted by a (simulated) SIGINT.
  const stepper = definePlugin({
    name: 'stepper',
    version: '1.0.0',
    register(ctx) {
      ctx.recipes.register(
        'stepper',
        defineRecipe({
          description: 'counts to `steps`, checkpointing each step',
          stages: [{ name: 'count', description: 'one step at a time' }],
          defaultConfig: join(fixturePluginPath, 'count-lines.yaml'),
          config: () => z.strictObject({ steps: z.number().int(), interruptAt: z.number().int().optional(), failAt: z.number().int().optional() }),
          run: async (config, run) => {
            const latest = run.resumed ? (await run.checkpoints.resumePoint()).checkpoint : undefined;
            let step = latest ? Number(readFileSync(join(latest.path, 'step.txt'), 'utf8')) : 0;
            if (latest) await run.rewindMetrics('count', step);
            run.stage('count').start({ totalSteps: config.steps, startStep: step });
            while (step < config.steps && !run.signal.aborted) {
              step += 1;
              if (step === config.failAt) throw new Error(`boom at step ${step}`);
              run.events.emit('step', { stage: 'count', step, metrics: { loss: 1 / step } });
              const info = await run.checkpoints.save('count', step, async (dir) => writeFileSync(join(dir, 'step.txt'), String(step)));
              run.events.emit('checkpoint', { stage: 'count', step, path: info.path });
              if (step === config.interruptAt && !run.resumed) process.emit('SIGINT', 'SIGINT');
            }
            return { metrics: { steps: step } };
          },
        }),
      );
    },
  });

  test('SIGINT marks the run interrupted; --resume continues to the same end state', async () => {
    const kernel = await new Kernel().load({ builtins: [stepper] });
    const out = join(tempDir(), 'run');
    mkdirSync(out);
    const first = await runRecipe(kernel, { recipe: 'stepper', configFile: writeConfig(out, 'steps: 5\ninterruptAt: 2\n'), out: join(out, 'r') });
    assert.equal(first.status, 'interrupted');
    const manifest = JSON.parse(readFileSync(join(out, 'r', 'run_manifest.json'), 'utf8')) as RunManifest;
    assert.equal(manifest.status, 'interrupted');
    const resumed = await runRecipe(kernel, { recipe: 'stepper', resume: join(out, 'r') });
    assert.equal(resumed.status, 'completed');
    assert.deepEqual(resumed.result?.metrics, { steps: 5 });
    const steps = readMetrics(join(out, 'r', 'metrics.jsonl')).filter((r) => r.type === 'step').map((r) => r.step);
    assert.deepEqual(steps, [1, 2, 3, 4, 5], 'each step recorded once');
    const after = JSON.parse(readFileSync(join(out, 'r', 'run_manifest.json'), 'utf8')) as RunManifest;
    assert.equal(after.resumedAt.length, 1);
    await assert.rejects(runRecipe(kernel, { recipe: 'stepper', resume: join(out, 'r') }), /already completed/);
  });

  test('a run directory holds a lock: a live holder is refused by name, a stale one is taken over', async () => {
    const { spawnSync } = await import('node:child_process');
    const { hostname } = await import('node:os');
    const kernel = await new Kernel().load({ builtins: [stepper] });
    const out = join(tempDir(), 'run');
    mkdirSync(out);
    const dir = join(out, 'r');
    assert.equal((await runRecipe(kernel, { recipe: 'stepper', configFile: writeConfig(out, 'steps: 4\ninterruptAt: 1\n'), out: dir })).status, 'interrupted');
    assert.ok(!existsSync(join(dir, 'run.lock')), 'the lock goes when the run ends');
    // The test runner (our parent) is alive: a lock naming it means another process has the run.
    writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid: process.ppid, host: hostname(), startedAt: '2026-12-04T00:00:00Z' }));
    await assert.rejects(runRecipe(kernel, { recipe: 'stepper', resume: dir }), new RegExp(`in use by process ${process.ppid}`));
    const steps = readMetrics(join(dir, 'metrics.jsonl')).filter((r) => r.type === 'step').map((r) => r.step);
    assert.deepEqual(steps, [1], 'the refused resume wrote nothing');
    // A pid that has exited: the lock is stale.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid: gone, host: hostname(), startedAt: '2026-12-04T00:00:00Z' }));
    const warnings: string[] = [];
    const resumed = await runRecipe(kernel, { recipe: 'stepper', resume: dir, onBus: (bus) => bus.on('warning', (w) => warnings.push(w.message)) });
    assert.equal(resumed.status, 'completed');
    assert.ok(warnings.some((w) => w.includes(`took over a stale lock of process ${gone}`)), warnings.join(' | '));
    assert.ok(!existsSync(join(dir, 'run.lock')));
  });

  test('a failing recipe marks the run failed with the error, and rethrows', async () => {
    const kernel = await new Kernel().load({ builtins: [stepper] });
    const out = join(tempDir(), 'run');
    mkdirSync(out);
    await assert.rejects(runRecipe(kernel, { recipe: 'stepper', configFile: writeConfig(out, 'steps: 5\nfailAt: 3\n'), out: join(out, 'r') }), /boom at step 3/);
    const manifest = JSON.parse(readFileSync(join(out, 'r', 'run_manifest.json'), 'utf8')) as RunManifest;
    assert.equal(manifest.status, 'failed');
    assert.equal(manifest.error, 'boom at step 3');
    assert.ok(existsSync(join(out, 'r', 'checkpoints', 'count-step-000002')), 'work finished before the failure is kept');
  });

  test('resume refuses a different recipe, and --config/--set', async () => {
    const kernel = await new Kernel().load({ builtins: [stepper] });
    const kernelWithFixture = await new Kernel().load({ builtins: [stepper], specifiers: [fixturePluginPath] });
    const out = join(tempDir(), 'run');
    mkdirSync(out);
    await runRecipe(kernel, { recipe: 'stepper', configFile: writeConfig(out, 'steps: 3\ninterruptAt: 1\n'), out: join(out, 'r') });
    await assert.rejects(runRecipe(kernelWithFixture, { recipe: 'count-lines', resume: join(out, 'r') }), /it is a run of 'stepper'/);
    await assert.rejects(runRecipe(kernel, { recipe: 'stepper', resume: join(out, 'r'), overrides: [{ path: ['steps'], value: 9, source: 'steps=9' }] }), /cannot change it/);
  });
});

function writeConfig(dir: string, text: string): string {
  const file = join(dir, `cfg-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return file;
}
