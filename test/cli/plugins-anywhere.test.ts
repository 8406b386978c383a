/**
 * Plugins from anywhere: a plugin file (.mjs and .ts) and an installed plugin package in a folder
 * outside Attune's checkout, importing `attune` and `zod` as the README shows, load in the real
 * CLI process, and one is used in a short training run.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fromPackageRoot } from '../../core/base/paths.js';

const bin = fromPackageRoot('bin', 'attune.js');
const dir = mkdtempSync(join(tmpdir(), 'attune-plugin-anywhere-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const source = (name: string) => `import { definePlugin, defineItem } from 'attune';
import { z } from 'zod';
export default definePlugin({
  name: '${name}',
  version: '1.0.0',
  register(ctx) {
    ctx.rewards.register('shout', defineItem({
      description: 'counts exclamation marks',
      options: z.strictObject({ per: z.number().default(1) }),
      create: (o) => ({ score: (batch) => batch.completions.map((c) => (c.text.match(/!/g) ?? []).length * o.per) }),
    }));
  },
});
`;

function attune(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('plugins from anywhere', () => {
  test('a .mjs file, a .ts file and an installed package outside the checkout load and are used', () => {
    writeFileSync(join(dir, 'shout.mjs'), source('shout-mjs'));
    writeFileSync(join(dir, 'shout.ts'), source('shout-ts').replace('(o) =>', '(o: { per: number }) =>').replace('(batch) =>', '(batch: { completions: { text: string }[] }) =>'));
    const pkg = join(dir, 'node_modules', 'attune-plugin-shout');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'attune-plugin-shout', version: '1.0.0', type: 'module', main: 'index.js', peerDependencies: { attune: '^0.1.0' } }));
    writeFileSync(join(pkg, 'index.js'), source('shout-pkg'));
    writeFileSync(join(dir, 'completions.jsonl'), '{"prompt": "hi", "completion": "Wow!! Great!"}\n{"prompt": "hi", "completion": "ok"}\n');
    for (const [plugin, name] of [['./shout.mjs', 'shout-mjs'], ['./shout.ts', 'shout-ts'], ['attune-plugin-shout', 'shout-pkg']] as const) {
      const r = attune(['score', '--plugin', plugin, '--reward', `${name}/shout`, '--data', 'completions.jsonl', '--json']);
      assert.equal(r.code, 0, `${plugin}: ${r.stderr}`);
      const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { scores?: Record<string, number> });
      assert.deepEqual(rows.slice(0, 2).map((x) => x.scores!.shout), [3, 0], plugin);
    }
    // In a short GRPO run on the tiny model, as a reward.
    const run = attune([
      'run', 'grpo-empathy', '--config', fromPackageRoot('configs', 'grpo-empathy', 'cpu-smoke.yaml'), '--plugin', './shout.mjs', '--out', join(dir, 'run'),
      '--set', 'model=attune-tiny-qwen2', '--set', 'trainer.options.steps=1', '--set', 'trainer.options.promptsPerStep=2', '--set', 'trainer.options.numGenerations=2',
      '--set', 'trainer.options.maxCompletionLength=6', '--set', 'trainer.options.rewards=[{"use":"shout-mjs/shout"}]', '--set', 'trainer.options.rewardWeights=[1]',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr + run.stdout, /completed/);
  });
});
