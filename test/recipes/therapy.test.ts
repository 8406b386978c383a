/**
 * The therapy pipelines on the tiny embedded model and the shipped CounselChat / AnnoMI slices:
 * therapy-sequential runs CounselChat SFT → AnnoMI SFT → DPO → merge, each stage continuing the
 * adapter; a Ctrl-C at a stage boundary or inside a later stage resumes into the same numbers;
 * `--from-stage dpo` trains DPO again on another run's SFT outputs, equal to that run's own DPO;
 * therapy-curriculum logs the seed's per-phase learning rates (1e-4, 8e-5, 6e-5, 4e-5, 2e-5).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { AttuneError } from '../../core/base/errors.js';
import { fromPackageRoot } from '../../core/base/paths.js';
import type { Override } from '../../core/kernel/config/overrides.js';
import { readManifest } from '../../core/kernel/runs/manifest.js';
import { readMetrics } from '../../core/kernel/events/subscribers/metrics-writer.js';
import { kernel, run, set, straightAndResumed, tempDir } from './harness.js';

const sequentialConfig = fromPackageRoot('configs', 'therapy-sequential', 'cpu-smoke.yaml');
const curriculumConfig = fromPackageRoot('configs', 'therapy-curriculum', 'cpu-smoke.yaml');

const sftOptions = (steps: number, lr: number) => ({ steps, microBatchSize: 2, gradientAccumulation: 1, maxLength: 128, bucket: 32, lr, schedule: 'constant', warmupSteps: 0, evalEvery: 0, evalExamples: 4, checkpointEvery: 2 });
const dpoOptions = (steps: number) => ({ steps, microBatchSize: 2, gradientAccumulation: 1, maxLength: 128, bucket: 32, lr: 2e-3, schedule: 'constant', warmupSteps: 0, evalEvery: 0, evalPairs: 4, checkpointEvery: 2, precomputeRefLogProbs: true });

/** Three short stages on the tiny model: 3 steps of CounselChat, 3 of AnnoMI, 3 of DPO, then the merge (fp32). */
const tinySequential = (): Override[] => [
  set('model', 'attune-tiny-qwen2'),
  set('lora', { r: 4, alpha: 8, dropout: 0 }),
  set('counselchat.trainer', { use: 'trainers/sft', options: sftOptions(3, 5e-3) }),
  set('annomi.trainer', { use: 'trainers/sft', options: sftOptions(3, 2e-3) }),
  set('dpo.trainer', { use: 'trainers/dpo', options: dpoOptions(3) }),
  set('merge', { dtype: 'fp32' }),
];

type Row = Record<string, number | string>;
const stepRows = (runDir: string): Row[] => readMetrics(join(runDir, 'metrics.jsonl')).filter((r) => r.type === 'step') as unknown as Row[];
const pick = (rows: Row[]) => rows.map((r) => [r.stage, r.step, r.loss, r.grad_norm, r.lr]);

describe('recipe therapy-sequential', () => {
  test('a Ctrl-C at the last step of the first stage resumes into the uninterrupted pipeline; every stage is recorded and the merge is written', async () => {
    const options = { recipe: 'therapy-sequential', configFile: sequentialConfig, overrides: tinySequential() };
    const { straight, broken } = await straightAndResumed(options, (e) => e.stage === 'sft-counselchat' && e.step === 3);
    assert.deepEqual(pick(stepRows(broken)), pick(stepRows(straight)));
    assert.deepEqual([...new Set(stepRows(straight).map((r) => r.stage))], ['sft-counselchat', 'sft-annomi', 'dpo']);

    for (const stage of ['sft-counselchat', 'sft-annomi', 'dpo', 'merge']) assert.ok(existsSync(join(straight, 'stages', `${stage}.json`)), `${stage} recorded as complete`);
    for (const stage of ['sft-counselchat', 'sft-annomi', 'dpo']) assert.ok(existsSync(join(straight, stage, 'final', 'adapter', 'adapter_model.safetensors')), `${stage}'s adapter`);
    assert.ok(existsSync(join(straight, 'merged', 'config.json')) && existsSync(join(straight, 'merged', 'tokenizer.json')), 'the merged folder is a complete model folder');

    const log = readFileSync(join(broken, 'run.log'), 'utf8');
    assert.match(log, /sft-counselchat: completed earlier \(3 steps/, 'the resumed run reuses the finished stage instead of training it again');

    const rows = stepRows(straight);
    const dpoFirst = rows.find((r) => r.stage === 'dpo' && r.step === 1)!;
    // DPO's reference is the SFT model as DPO begins, so at its first step policy = reference.
    assert.ok(Math.abs(dpoFirst['rewards/margins'] as number) < 1e-5 && Math.abs((dpoFirst.loss_sigmoid as number) - Math.LN2) < 1e-5, `DPO step 1: margin ${dpoFirst['rewards/margins']}, loss ${dpoFirst.loss_sigmoid}`);

    const manifest = readManifest(straight);
    assert.equal(manifest.status, 'completed');
    assert.equal(manifest.metrics?.['sft-annomi/steps'], 3);
    assert.ok(Number.isFinite(manifest.metrics?.['dpo/eval_rewards/accuracies']), 'held-out DPO accuracy in the run summary');
    assert.ok((manifest.metrics?.['merge/merged_modules'] ?? 0) > 0);
  });

  test('the second SFT stage continues the first stage\'s adapter', async () => {
    const dir = tempDir();
    const k = await kernel();
    const continued = join(dir, 'continued');
    await run(k, { recipe: 'therapy-sequential', configFile: sequentialConfig, overrides: [...tinySequential(), set('dpo', null), set('merge', { enabled: false })], out: continued });
    const fresh = join(dir, 'fresh');
    // The same AnnoMI stage after a CounselChat stage at lr 1e-12, which leaves the adapter as good as fresh.
    await run(k, { recipe: 'therapy-sequential', configFile: sequentialConfig, overrides: [...tinySequential(), set('counselchat.trainer.options.lr', 1e-12), set('dpo', null), set('merge', { enabled: false })], out: fresh });
    const first = (d: string) => stepRows(d).find((r) => r.stage === 'sft-annomi' && r.step === 1)!;
    const gap = Math.abs((first(continued).loss as number) - (first(fresh).loss as number));
    assert.ok(gap > 1e-3, `AnnoMI step 1 sees the CounselChat-trained adapter: its loss differs from a fresh adapter's by ${gap}`);
  });

  test('--from-stage dpo reuses the SFT stages of another run and repeats its DPO; the other run is untouched', async () => {
    const dir = tempDir();
    const k = await kernel();
    const original = join(dir, 'original');
    await run(k, { recipe: 'therapy-sequential', configFile: sequentialConfig, overrides: tinySequential(), out: original });
    const before = readFileSync(join(original, 'metrics.jsonl'), 'utf8');

    const again = join(dir, 'again');
    const outcome = await run(k, { recipe: 'therapy-sequential', configFile: sequentialConfig, overrides: tinySequential(), out: again, fromStage: { stage: 'dpo', run: original } });
    assert.equal(outcome.status, 'completed');
    assert.deepEqual(pick(stepRows(again)), pick(stepRows(original)), 'SFT rows copied, DPO trained again to the same numbers');
    const log = readFileSync(join(again, 'run.log'), 'utf8');
    assert.match(log, /reusing sft-counselchat, sft-annomi from /);
    assert.match(log, /sft-annomi: completed earlier/);
    assert.equal(readFileSync(join(original, 'metrics.jsonl'), 'utf8'), before);
    assert.deepEqual(readManifest(again).fromStage, { stage: 'dpo', run: original });

    // A changed key is reported: the reused stages were made with the earlier value.
    const changed = join(dir, 'changed');
    await run(k, { recipe: 'therapy-sequential', configFile: sequentialConfig, overrides: [...tinySequential(), set('dpo.trainer.options.lr', 1e-3), set('counselchat.trainer.options.lr', 1e-3)], out: changed, fromStage: { stage: 'dpo', run: original } });
    assert.match(readFileSync(join(changed, 'run.log'), 'utf8'), /config differs from .* at counselchat\.trainer\.options\.lr, dpo\.trainer\.options\.lr/);
  });

  test('--from-stage refuses an unknown stage, the first stage, another recipe\'s run and an unfinished stage, naming what to do', async () => {
    const dir = tempDir();
    const k = await kernel();
    const partial = join(dir, 'partial');
    const outcome = await run(k, { recipe: 'therapy-sequential', configFile: sequentialConfig, overrides: tinySequential(), out: partial, onBus: (bus) => bus.on('step', (e) => (e.stage === 'sft-annomi' && e.step === 1 ? void process.emit('SIGINT', 'SIGINT') : undefined)) });
    assert.equal(outcome.status, 'interrupted');
    const from = (stage: string, runDir = partial, recipe = 'therapy-sequential') => run(k, { recipe, configFile: recipe === 'therapy-sequential' ? sequentialConfig : curriculumConfig, overrides: recipe === 'therapy-sequential' ? tinySequential() : [], out: join(dir, `x-${stage}-${recipe}`), fromStage: { stage, run: runDir } });
    const refused = async (attempt: Promise<unknown>, what: RegExp): Promise<void> => {
      await assert.rejects(attempt, (error: AttuneError) => {
        assert.match(error.describe(), what);
        return true;
      });
    };
    await refused(from('sft'), /has no such stage[\s\S]*sft-counselchat, sft-annomi, dpo, merge/);
    await refused(from('sft-counselchat'), /is the first stage/);
    await refused(from('dpo'), /stage 'sft-annomi' of .* did not complete[\s\S]*--resume/);
    await refused(from('dpo', partial, 'therapy-curriculum'), /is a run of 'therapy-sequential', not of 'therapy-curriculum'/);
  });
});

describe('recipe therapy-curriculum', () => {
  test("each phase trains at the seed's learning rate (1e-4, 8e-5, 6e-5, 4e-5, 2e-5) and the merge follows the curriculum when DPO is off", async () => {
    const out = join(tempDir(), 'run');
    // The smoke curriculum: five phases of 64 examples; at 8 examples a step, 8 steps each.
    const outcome = await run(await kernel(), {
      recipe: 'therapy-curriculum',
      configFile: curriculumConfig,
      overrides: [
        set('model', 'attune-tiny-qwen2'),
        set('lora', { r: 4, alpha: 8, dropout: 0 }),
        set('curriculum.trainer.options.maxLength', 96),
        set('curriculum.trainer.options.bucket', 32),
        set('curriculum.trainer.options.evalEvery', 0),
        set('curriculum.trainer.options.evalExamples', 4),
        set('dpo', null),
        set('merge', { dtype: 'fp32' }),
      ],
      out,
    });
    assert.equal(outcome.status, 'completed');
    const rows = stepRows(out);
    assert.equal(rows.length, 40);
    const seed = [1e-4, 8e-5, 6e-5, 4e-5, 2e-5];
    rows.forEach((r, i) => assert.ok(Math.abs((r.lr as number) - seed[Math.floor(i / 8)]!) < 1e-12, `step ${r.step}: lr ${r.lr}, the seed's phase ${Math.floor(i / 8) + 1} has ${seed[Math.floor(i / 8)]}`));
    assert.ok(existsSync(join(out, 'merged', 'config.json')));
    assert.ok(!existsSync(join(out, 'stages', 'dpo.json')), 'DPO skipped');
  });

  test('a trainer that does not sample a curriculum is refused at validation, naming the key', async () => {
    await assert.rejects(
      run(await kernel(), { recipe: 'therapy-curriculum', configFile: curriculumConfig, overrides: [set('curriculum.trainer.options.sampling', { kind: 'mixture' })], out: join(tempDir(), 'run') }),
      /curriculum\.trainer\.options\.sampling\.kind[\s\S]*got sampling kind 'mixture'/,
    );
  });
});
