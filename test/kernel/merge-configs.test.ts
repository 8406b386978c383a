/**
 * `extends:` merging: objects merge key by key, except that another member of a union (a
 * different `kind`, a different item `use`) replaces the prior one whole — its keys never mix.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mergeConfigs } from '../../core/kernel/config/load-config.js';
import { runCli } from '../../core/cli/main.js';
import { fromPackageRoot } from '../../core/base/paths.js';

describe('mergeConfigs', () => {
  test('same member: merged; another kind or use: replaced whole', () => {
    const base = { trainer: { use: 'trainers/sft', options: { steps: 300, sampling: { kind: 'mixture', alpha: 0.5 }, lr: 1e-4 } } };
    assert.deepEqual(mergeConfigs(base, { trainer: { use: 'trainers/sft', options: { sampling: { kind: 'curriculum', file: 'c.yaml' } } } }), {
      trainer: { use: 'trainers/sft', options: { steps: 300, sampling: { kind: 'curriculum', file: 'c.yaml' }, lr: 1e-4 } },
    });
    assert.deepEqual(mergeConfigs(base, { trainer: { options: { sampling: { alpha: 1 } } } }).trainer, { use: 'trainers/sft', options: { steps: 300, sampling: { kind: 'mixture', alpha: 1 }, lr: 1e-4 } });
    assert.deepEqual(mergeConfigs(base, { trainer: { use: 'trainers/dpo', options: { beta: 0.1 } } }).trainer, { use: 'trainers/dpo', options: { beta: 0.1 } }, "another trainer does not inherit the SFT trainer's options");
  });

  test('the shipped curriculum variant of the multi-objective SFT validates over its mixture base', async () => {
    let out = '';
    const code = await runCli(['validate', fromPackageRoot('configs', 'sft-multiobjective', 'curriculum.yaml')], { stdout: { write: (t) => (out += t) }, stderr: { write: (t) => (out += t) } });
    assert.equal(code, 0, out);
    assert.match(out, /valid config for sft-multiobjective/);
  });
});
