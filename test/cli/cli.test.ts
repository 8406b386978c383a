import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fromPackageRoot } from '../../core/base/paths.js';
import { attune } from './run-in-process.js';
import { fixturePluginPath, tempDir } from '../kernel/helpers.js';

const bin = fromPackageRoot('bin', 'attune.js');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real `attune` process: for what only the process boundary shows (exit status, stderr, plugin loading). */
function spawned(args: string[], cwd = process.cwd()): Result {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('attune CLI process', () => {
  test('list shows a third-party plugin loaded with --plugin, and its items', () => {
    const r = spawned(['list', '--plugin', fixturePluginPath]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /count-lines\s+loads a source/);
    assert.match(r.stdout, /fixture@1\.2\.0/);
    assert.match(r.stdout, /DatasetSource items:\n\s+fixture\/lines/);
  });

  test('an unknown recipe exits non-zero with a suggestion', () => {
    const r = spawned(['run', 'count-line', '--plugin', fixturePluginPath]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: Unknown recipe 'count-line'\. Did you mean 'count-lines'\?/);
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace for a user error');
  });

  test('--help lists the commands and exits 0', () => {
    const help = spawned(['--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /attune list\s+list recipes, plugins and their items/);
    assert.match(help.stdout, /attune run <recipe>\s+run a recipe/);
  });
});

describe('attune CLI', () => {
  test('no command, or an unknown one, is a usage error', async () => {
    const none = await attune([]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /error: Name a command: attune list/);
    const typo = await attune(['lst']);
    assert.equal(typo.code, 1);
    assert.match(typo.stderr, /Did you mean list\?/);
  });

  test('describe lists stages, keys with defaults, and the options of the items in use', async () => {
    const r = await attune(['describe', 'count-lines', '--plugin', fixturePluginPath]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1\. count: one step per example/);
    // What a run with the default config really uses, beside the schema's own default.
    assert.match(r.stdout, /seed\s+number\s+\[default config 7; schema default 42\]/);
    assert.match(r.stdout, /limit\s+number\s+\[optional\]\s+stop after this many examples/);
    assert.match(r.stdout, /source\s+sources item\s+\[default config fixture\/lines; a config of your own must set it\]/);
    assert.match(r.stdout, /Options of fixture\/lines \(at source\.options\)[\s\S]*file\s+string\s+\[default config "lines\.txt"; a config of your own must set it\]\s+text file, one example per line/);
    const sft = await attune(['describe', 'sft-multiobjective']);
    assert.match(sft.stdout, /lora\.r\s+number\s+\[default config 16; schema default 8\]/);
    assert.match(sft.stdout, /steps\s+number\s+\[default config 300; a config of your own must set it\]/);
    assert.match(sft.stdout, /sampling\s+\{kind: "mixture", alpha\?, weights\?\} \| \{kind: "curriculum", file\}/, 'a union spelled out');
  });

  test('run writes the run directory; a bad --set is a located error', async () => {
    const dir = tempDir();
    const ok = await attune(['run', 'count-lines', '--plugin', fixturePluginPath, '--out', join(dir, 'r1'), '--set', 'limit=1']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /count-lines: completed/);
    assert.equal(JSON.parse(readFileSync(join(dir, 'r1', 'run_manifest.json'), 'utf8')).status, 'completed');
    const bad = await attune(['run', 'count-lines', '--plugin', fixturePluginPath, '--out', join(dir, 'r2'), '--set', 'limit=many']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--set limit=many: key 'limit': expected number, got string "many"/);
  });

  test('cp writes an editable config that validate accepts, and validate reports a broken one', async () => {
    const dir = tempDir();
    const file = join(dir, 'mine.yaml');
    const cp = await attune(['cp', 'count-lines', file, '--plugin', fixturePluginPath]);
    assert.equal(cp.code, 0, cp.stderr);
    assert.match(readFileSync(file, 'utf8'), /^recipe: count-lines/m);
    writeFileSync(file, readFileSync(file, 'utf8').replace('file: lines.txt', `file: ${join(fixturePluginPath, 'lines.txt')}`));
    const valid = await attune(['validate', file, '--plugin', fixturePluginPath]);
    assert.equal(valid.code, 0, valid.stderr);
    assert.match(valid.stdout, /valid config for count-lines/);
    writeFileSync(file, readFileSync(file, 'utf8').replace('seed: 7', 'sed: 7'));
    const invalid = await attune(['validate', file, '--plugin', fixturePluginPath]);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /mine\.yaml:\d+:\d+: key 'sed': unknown key 'sed'\. Did you mean 'seed'\?/);
  });

  test('validate names a warm-up longer than the run at its key; a run prints its error once and, when done, its adapter and plots', async () => {
    const dir = tempDir();
    const file = join(dir, 'wu.yaml');
    writeFileSync(file, `extends: ${fromPackageRoot('configs', 'sft-multiobjective', 'example.yaml')}\ntrainer:\n  use: trainers/sft\n  options:\n    steps: 5\n`);
    const invalid = await attune(['validate', file]);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /example\.yaml:\d+:\d+: key 'trainer\.options\.warmupSteps': warmupSteps \(10\) exceeds steps \(5\)/);
    const small = ['--set', 'model=attune-tiny-qwen2', '--set', 'trainer.options.warmupSteps=0', '--set', 'trainer.options.evalEvery=0', '--set', 'trainer.options.maxLength=64', '--set', 'trainer.options.bucket=32'];
    const failed = await attune(['run', 'sft-multiobjective', ...small, '--set', 'trainer.options.steps=1', '--set', 'trainer.options.evalSplit=nope', '--out', join(dir, 'failed')]);
    assert.equal(failed.code, 1);
    assert.equal((failed.stdout + failed.stderr).match(/evalSplit 'nope'/g)?.length, 1, 'the error is printed once');
    const done = await attune(['run', 'sft-multiobjective', ...small, '--set', 'trainer.options.steps=1', '--out', join(dir, 'done')]);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, new RegExp(`adapter: ${join(dir, 'done', 'final', 'adapter').replace(/[.]/g, '\\.')}  \\(attune chat --run `));
    assert.match(done.stdout, /plots: plots\/sft-losses\.png/);
  });

  test('validate takes --set as run does, and names a model or data folder that is not there', async () => {
    const dir = tempDir();
    const example = fromPackageRoot('configs', 'sft-multiobjective', 'example.yaml');
    const ok = await attune(['validate', example, '--set', 'trainer.options.steps=500']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /valid config for sft-multiobjective \(with trainer\.options\.steps=500\)/);
    const file = join(dir, 'paths.yaml');
    writeFileSync(file, `extends: ${example}\nmodel: ./no-such-model\ndata:\n  sources:\n    - { use: sources/esconv, options: { path: ./missing-esconv } }\n`);
    const bad = await attune(['validate', file]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /2 problems a run would stop on/);
    assert.match(bad.stderr, /model: model "\.\/no-such-model" is not an embedded model/);
    assert.match(bad.stderr, new RegExp(`data\\.sources\\.0\\.options\\.path: \\./missing-esconv does not exist \\(looked at ${join(dir, 'missing-esconv').replace(/[.]/g, '\\.')}\\)`));
  });

  test('several --config files run as a sweep with a comparison table', async () => {
    const dir = tempDir();
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    writeFileSync(a, `extends: ${join(fixturePluginPath, 'count-lines.yaml')}\nsource: { use: fixture/lines, options: { file: ${join(fixturePluginPath, 'lines.txt')} } }\nlimit: 1\n`);
    writeFileSync(b, `extends: ${a}\nlimit: 3\n`);
    const r = await attune(['run', 'count-lines', '--plugin', fixturePluginPath, '--config', a, '--config', b, '--out', join(dir, 'sweep')]);
    assert.equal(r.code, 0, r.stderr);
    const table = readFileSync(join(dir, 'sweep', 'comparison.md'), 'utf8');
    assert.match(table, /\| config \| status \| examples \| loss \|/);
    assert.match(table, /\| a \| completed \| 1 \| 1 \|/);
    assert.match(table, /\| b \| completed \| 3 \| 0\.3333 \|/);
    assert.match(readFileSync(join(dir, 'sweep', 'comparison.svg'), 'utf8'), /sweep: final metrics per config/);
    assert.ok(existsSync(join(dir, 'sweep', 'comparison.png')));

    // One config fails: the others still run and are compared, and the sweep exits non-zero.
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, `extends: ${a}\nlimit: -2\n`);
    const failing = await attune(['run', 'count-lines', '--plugin', fixturePluginPath, '--config', bad, '--config', b, '--out', join(dir, 'sweep2')]);
    assert.equal(failing.code, 1);
    assert.match(failing.stderr, /sweep: 1 of 2 configs failed \(bad\)/);
    assert.match(readFileSync(join(dir, 'sweep2', 'comparison.md'), 'utf8'), /\| b \| completed \| 3 \|/);
  });

  test('data inspect --bad-rows fail on a malformed row is a located error without a stack trace', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'train.tsv'), 'text\tlabels\tid\nI love this\t0\tx1\nbroken row without tabs\n');
    const r = await attune(['data', 'inspect', 'goemotions', '--path', dir, '--bad-rows', 'fail']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Malformed data row \(.*train\.tsv, row 3\): expected 3 columns/);
    assert.match(r.stderr, /badRows: skip/);
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  });
});
