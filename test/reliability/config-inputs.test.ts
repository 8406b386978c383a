/**
 * Hostile and mistaken configs get one located error each (file:line or --set, what was
 * expected, what was found), never a stack trace, a hang or a polluted process.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fromPackageRoot } from '../../core/base/paths.js';
import { tempDir } from '../kernel/helpers.js';
import { attune, STACK_FRAME } from '../cli/run-in-process.js';

const smoke = fromPackageRoot('configs', 'sft-multiobjective', 'cpu-smoke.yaml');

function config(dir: string, name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `extends: ${smoke}\n${body}`);
  return file;
}

async function rejected(args: string[], pattern: RegExp): Promise<string> {
  const r = await attune(args);
  assert.equal(r.code, 1, `expected a user error, got exit ${r.code}:\n${r.stderr}${r.stdout}`);
  assert.doesNotMatch(r.stderr, STACK_FRAME);
  assert.match(r.stderr, pattern);
  return r.stderr;
}

describe('configs that name JavaScript object machinery', () => {
  test('constructor, toString and __proto__ keys are located errors, not TypeErrors', async () => {
    const dir = tempDir();
    await rejected(['validate', config(dir, 'a.yaml', 'constructor: 1\n')], /a\.yaml:2:1: the key 'constructor' is not allowed/);
    await rejected(['validate', config(dir, 'b.yaml', '__proto__: {x: 1}\n')], /b\.yaml:2:1: the key '__proto__' is not allowed/);
    await rejected(['validate', config(dir, 'c.yaml', 'trainer:\n  options:\n    toString: 3\n')], /c\.yaml:4:\d+: key 'trainer\.options\.toString': unknown key 'toString'/);
  });

  test('--set refuses __proto__ paths and values, and Object.prototype stays clean', async () => {
    await rejected(['validate', smoke, '--set', '__proto__.polluted=1'], /--set '__proto__\.polluted=1': the key '__proto__' is not allowed/);
    await rejected(['validate', smoke, '--set', 'trainer.constructor.prototype.polluted=1'], /the key 'constructor' is not allowed/);
    await rejected(['validate', smoke, '--set', 'trainer.options={__proto__: {polluted: 1}}'], /in the value, the key '__proto__' is not allowed/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('config files that are not files', () => {
  test('a folder as --config, validate file or extends target is a located error', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'folder'));
    writeFileSync(join(dir, 'folder', 'x.yaml'), 'recipe: sft-multiobjective\n');
    await rejected(['validate', join(dir, 'folder')], /folder is a folder, not a config file[\s\S]*x\.yaml/);
    writeFileSync(join(dir, 'ext.yaml'), 'extends: folder\n');
    await rejected(['validate', join(dir, 'ext.yaml')], /is a folder, not a config file \(named by 'extends' in .*ext\.yaml\)/);
    await rejected(['run', 'sft-multiobjective', '--config', join(dir, 'folder'), '--out', join(dir, 'runs')], /is a folder, not a config file/);
  });

  test('an empty file, and an extends of one, say so', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'empty.yaml'), '');
    writeFileSync(join(dir, 'ext.yaml'), 'extends: empty.yaml\n');
    await rejected(['validate', join(dir, 'ext.yaml')], /empty\.yaml: a config must be a mapping .* got an empty file/);
  });
});

describe('YAML that would take unbounded work', () => {
  test('an alias bomb stops at the alias limit; an undefined alias is located', async () => {
    const dir = tempDir();
    const levels = ['a: &a [1,1,1,1,1,1,1,1,1,1]'];
    for (let i = 1; i < 8; i++) levels.push(`l${i}: &l${i} [${Array(10).fill(i === 1 ? '*a' : `*l${i - 1}`).join(',')}]`);
    writeFileSync(join(dir, 'bomb.yaml'), `${levels.join('\n')}\nrecipe: sft-multiobjective\n`);
    await rejected(['validate', join(dir, 'bomb.yaml')], /aliases cannot be expanded[\s\S]*at most 100 aliases/);
    await rejected(['validate', config(dir, 'undef.yaml', 'seed: *nope\n')], /undef\.yaml: the YAML aliases cannot be expanded: Unresolved alias .*nope[\s\S]*Define each anchor/);
  });

  test('100k keys in one mapping are checked in linear time: every key reported, the first few located', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const keys = Array.from({ length: 100_000 }, (_, i) => `    k${i}: ${i}`).join('\n');
    const stderr = await rejected(['validate', config(dir, 'wide.yaml', `trainer:\n  options:\n${keys}\n`)], /100000 problems/);
    assert.match(stderr, /wide\.yaml:4:\d+: key 'trainer\.options\.k0': unknown key 'k0'/);
    assert.match(stderr, /… and 99988 more/);
  });

  test('a key set twice in one mapping is located at the second', async () => {
    const dir = tempDir();
    await rejected(['validate', config(dir, 'dup.yaml', 'seed: 1\nseed: 2\n')], /dup\.yaml:3:1: the key 'seed' is set twice/);
  });
});

describe('validation messages say what was expected and what was found', () => {
  const cases: [string, RegExp][] = [
    ['trainer.options.lr=.nan', /key 'trainer\.options\.lr': expected number, got NaN/],
    ['data.sources.0=3', /key 'data\.sources\.0': expected string or object, got number 3/],
    ['trainer=3', /key 'trainer': expected string or object, got number 3/],
    ['trainer.options.steps=-3', /key 'trainer\.options\.steps': Too small: expected number to be >0, got number -3/],
    ['trainer.options.sampling.kind=foo', /expected kind to be one of "mixture", "curriculum", got string "foo"/],
    ['lora.targetModules=[]', /key 'lora\.targetModules': .*target_modules is empty/],
    ['lora.targetModules=[qq_proj]', /key 'lora\.targetModules': .*"qq_proj" is not a decoder projection/],
    ['trainer.options.sampling={kind: mixture, weights: {edd: 1, ed: 1, esconv: 1, goemotions: 1}}', /key 'trainer\.options\.sampling\.weights\.edd': no source is named 'edd'; the sources are ed, esconv, goemotions/],
    ['trainer.options.sampling={kind: mixture, weights: {ed: 1}}', /weights are given for some sources but not for esconv, goemotions/],
    ['trainer.options.sampling={kind: mixture, weights: {ed: 0, esconv: 0, goemotions: 0}}', /every mixture weight is 0/],
    ['objectives=[{use: objectives/lm, options: {weight: 0}}]', /key 'objectives': every objective has weight 0/],
    ['trainer.options.warmupSteps=5000', /key 'trainer\.options\.warmupSteps': warmupSteps \(5000\) exceeds steps/],
  ];
  for (const [set, pattern] of cases) {
    test(`--set ${set}`, async () => {
      const stderr = await rejected(['validate', smoke, '--set', set], pattern);
      assert.doesNotMatch(stderr, /Invalid input/);
    });
  }

  test('an unknown key is reported once, beside the item options\' other problems', async () => {
    const dir = tempDir();
    const stderr = await rejected(['validate', config(dir, 'x.yaml', 'trainer:\n  options:\n    lr: abc\n    bogus: 1\n')], /2 problems/);
    assert.equal(stderr.match(/unknown key 'bogus'/g)?.length, 1);
    assert.match(stderr, /key 'trainer\.options\.lr': expected number, got string "abc"/);
  });

  test('a curriculum file that is not there is found by validate', async () => {
    const dir = tempDir();
    await rejected(['validate', config(dir, 'cur.yaml', 'trainer:\n  options:\n    sampling: {kind: curriculum, file: nope.yaml}\n')], /trainer\.options\.sampling\.file: nope\.yaml does not exist/);
  });
});
