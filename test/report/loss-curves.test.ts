import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { lossSeries, termColour, writeLossCurves } from '../../core/report/loss-curves.js';
import { tempDir } from '../kernel/helpers.js';

test('loss series keep loss terms per stage and mark eval points', () => {
  const points = lossSeries(
    [
      { type: 'step', stage: 'sft', step: 1, loss: 2, loss_lm: 1.5, lr: 0.1 },
      { type: 'eval', stage: 'sft', step: 1, split: 'validation', loss_lm: 1.7 },
      { type: 'step', stage: 'dpo', step: 1, loss: 9 },
    ],
    'sft',
  );
  assert.deepEqual(points, [
    { step: 1, value: 2, series: 'loss', term: 'loss', kind: 'train' },
    { step: 1, value: 1.5, series: 'loss_lm', term: 'loss_lm', kind: 'train' },
    // An eval point belongs to its training series' term (its colour), its kind says the split.
    { step: 1, value: 1.7, series: 'eval validation loss_lm', term: 'loss_lm', kind: 'eval validation' },
  ]);
});

test('a term has the same colour in every run, whatever other terms a chart holds', () => {
  assert.equal(termColour('loss_lm'), termColour('loss_lm'));
  assert.notEqual(termColour('loss'), termColour('loss_lm'));
  assert.match(termColour('loss_my_own_term'), /^#[0-9a-f]{6}$/);
});

test('writes an SVG naming every term and a PNG of real size per stage', async () => {
  const dir = tempDir();
  const lines = Array.from({ length: 10 }, (_, i) => JSON.stringify({ type: 'step', stage: 'sft', step: i + 1, loss_lm: 3 - i * 0.1, loss_emotion: 1 - i * 0.05, lr: 1e-4 * (i + 1), grad_norm: 2 - i * 0.1 }));
  writeFileSync(join(dir, 'metrics.jsonl'), `${lines.join('\n')}\n`);
  const files = await writeLossCurves(dir);
  assert.deepEqual(files.map((f) => f.slice(dir.length + 1)), ['plots/sft-losses.svg', 'plots/sft-losses.png', 'plots/sft-optimizer.svg', 'plots/sft-optimizer.png']);
  const optimizer = readFileSync(files[2]!, 'utf8');
  assert.match(optimizer, /learning rate and gradient norm/);
  assert.ok(optimizer.includes('grad_norm') && optimizer.includes('lr'));
  const svg = readFileSync(files[0]!, 'utf8');
  assert.match(svg, /^<svg/);
  assert.match(svg, /loss_lm/);
  assert.match(svg, /loss_emotion/);
  const meta = await sharp(files[1]!).metadata();
  assert.equal(meta.format, 'png');
  assert.ok(meta.width! > 600 && meta.height! > 300, `${meta.width}x${meta.height}`);
});

test('a rollout stage also gets a reward chart: the total reward, each reward mean and the KL', async () => {
  const dir = tempDir();
  const lines = Array.from({ length: 6 }, (_, i) => JSON.stringify({ type: 'step', stage: 'grpo', step: i + 1, loss: 0.1, reward: 0.4 + i * 0.05, 'rewards/empathy/mean': 0.4 + i * 0.05, 'rewards/empathy/std': 0.1, kl: i * 0.01, lr: 1e-4 }));
  writeFileSync(join(dir, 'metrics.jsonl'), `${lines.join('\n')}\n`);
  const files = await writeLossCurves(dir);
  assert.deepEqual(files.map((f) => f.slice(dir.length + 1)), ['plots/grpo-losses.svg', 'plots/grpo-losses.png', 'plots/grpo-rewards.svg', 'plots/grpo-rewards.png', 'plots/grpo-optimizer.svg', 'plots/grpo-optimizer.png']);
  const svg = readFileSync(files[2]!, 'utf8');
  for (const series of ['rewards/empathy/mean', 'kl']) assert.ok(svg.includes(series), `${series} drawn`);
  assert.ok(!svg.includes('rewards/empathy/std'), 'stds are not drawn as curves');
});
