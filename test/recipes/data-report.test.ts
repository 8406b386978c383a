import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { builtinPlugins } from '../../plugins/index.js';
import { Kernel } from '../../core/kernel/kernel.js';
import { runRecipe } from '../../core/kernel/runs/run-recipe.js';
import { tempDir } from '../kernel/helpers.js';

test('data-report inspects the shipped slices with the embedded model and writes its report', async () => {
  const kernel = await new Kernel().load({ builtins: builtinPlugins });
  const out = join(tempDir(), 'run');
  const outcome = await runRecipe(kernel, { recipe: 'data-report', overrides: [{ path: ['splits'], value: ['train'], source: 'splits=[train]' }], out });
  assert.equal(outcome.status, 'completed');
  const metrics = outcome.result!.metrics;
  assert.ok(metrics.examples! > 100, `examples: ${metrics.examples}`);
  assert.equal(metrics.leaks, 0);
  const report = JSON.parse(readFileSync(join(out, 'data_report.json'), 'utf8')) as { source: string; split: string; tokens: { max: number } }[];
  assert.ok(report.every((r) => r.split === 'train'));
  assert.ok(report.every((r) => r.tokens.max > 0));
  assert.match(readFileSync(join(out, 'data_report.md'), 'utf8'), /### sources\/goemotions — train/);
});
