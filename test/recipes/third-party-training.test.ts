/**
 * The third-party fixture plugin, loaded by path like any user's, trains through the public API:
 * its JSONL source feeds the built-in SFT recipe and its objective adds a term from the context's
 * token log-probs and a declared per-example input. Every fixture example has weight 2, so that
 * term must be exactly twice the built-in LM loss on the same batch before any update.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Kernel } from '../../core/kernel/kernel.js';
import { fromPackageRoot } from '../../core/base/paths.js';
import { runRecipe } from '../../core/kernel/runs/run-recipe.js';
import { readMetrics } from '../../core/kernel/events/subscribers/metrics-writer.js';
import type { Override } from '../../core/kernel/config/overrides.js';
import { builtinPlugins } from '../../plugins/index.js';
import { defineItem, definePlugin, IGNORE_INDEX } from '../../core/kernel/index.js';
import { ops } from '../../core/engine/index.js';
import type { SftObjective } from '../../core/train/index.js';
import { z } from 'zod';

/** The reply NLL two more ways through the context: from the reference's token log-probs and from the policy's logits. */
const probes = definePlugin({
  name: 'probes',
  version: '1.0.0',
  register(ctx) {
    const term = (name: string, sum: (c: Parameters<SftObjective['build']>[0]) => ReturnType<typeof ops.sum>) =>
      defineItem({
        kind: 'sft',
        description: name,
        options: z.strictObject({ weight: z.number().default(0.001) }),
        create: (o): SftObjective => ({
          kind: 'sft',
          name,
          weight: o.weight,
          countUnit: 'targetTokens',
          build: (c) => {
            const s = sum(c);
            const count = ops.sum(c.targetMask);
            return { loss: ops.div(s, ops.maximum(count, 1)), sum: s, count };
          },
        }),
      });
    ctx.objectives.register('reference-nll', term('reference_nll', (c) => ops.neg(ops.sum(ops.mul(c.tokenLogProbs('reference'), c.targetMask)))));
    ctx.objectives.register('logits-nll', term('logits_nll', (c) => ops.crossEntropy(c.logits('policy'), c.targets, { ignoreIndex: IGNORE_INDEX, reduction: 'sum' })));
  },
});

const set = (path: string, value: unknown): Override => ({ path: path.split('.'), value, source: `${path}=${JSON.stringify(value)}` });

test('a third-party source and objective train in the SFT recipe; context terms agree with the LM loss at step 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'attune-third-party-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const fixture = fromPackageRoot('test', 'fixtures', 'third-party-plugin');
  const kernel = await new Kernel().load({ builtins: [...builtinPlugins, probes], specifiers: [fixture] });
  const out = join(dir, 'run');
  const outcome = await runRecipe(kernel, {
    recipe: 'sft-multiobjective',
    out,
    interactive: false,
    overrides: [
      set('model', 'attune-tiny-qwen2'),
      set('data.sources', [{ use: 'fixture/weighted-replies', options: { file: join(fixture, 'weighted.jsonl') } }]),
      set('objectives', [{ use: 'objectives/lm', options: { weight: 1 } }, { use: 'fixture/weighted-nll', options: { weight: 0.5 } }, 'probes/reference-nll', 'probes/logits-nll']),
      set('trainer.options.steps', 3),
      set('trainer.options.microBatchSize', 2),
      set('trainer.options.gradientAccumulation', 2),
      set('trainer.options.maxLength', 64),
      set('trainer.options.bucket', 32),
      set('trainer.options.evalEvery', 0),
      set('trainer.options.evalExamples', 2),
      set('trainer.options.checkpointEvery', 0),
      set('trainer.options.warmupSteps', 0),
    ],
  });
  assert.equal(outcome.status, 'completed');
  const steps = readMetrics(join(out, 'metrics.jsonl')).filter((r) => r.type === 'step') as unknown as Record<string, number>[];
  assert.equal(steps.length, 3);
  const first = steps[0]!;
  assert.ok(first.loss_lm! > 1, `lm loss ${first.loss_lm}`);
  assert.ok(Math.abs(first.loss_weighted_nll! - 2 * first.loss_lm!) < 1e-5 * first.loss_lm!, `${first.loss_weighted_nll} vs 2 × ${first.loss_lm}`);
  // A fresh adapter (B = 0) leaves the policy equal to the reference at step 1; logits give the same NLL.
  assert.ok(Math.abs(first.loss_reference_nll! - first.loss_lm!) < 1e-5 * first.loss_lm!, `${first.loss_reference_nll} vs ${first.loss_lm}`);
  assert.ok(Math.abs(first.loss_logits_nll! - first.loss_lm!) < 1e-5 * first.loss_lm!, `${first.loss_logits_nll} vs ${first.loss_lm}`);
  // After two updates the adapter has moved the policy away from the reference.
  assert.ok(Math.abs(steps[2]!.loss_reference_nll! - steps[2]!.loss_lm!) > 1e-4, 'reference ≠ policy once the adapter trains');
  const weighted = first.loss_lm! + 0.5 * first.loss_weighted_nll! + 0.001 * (first.loss_reference_nll! + first.loss_logits_nll!);
  assert.ok(Math.abs(first.loss! - weighted) < 1e-5 * first.loss!);
  assert.ok(existsSync(join(out, 'final', 'adapter', 'adapter_model.safetensors')));
  const evals = readMetrics(join(out, 'metrics.jsonl')).filter((r) => r.type === 'eval');
  assert.ok(Number.isFinite(evals.at(-1)?.loss_weighted_nll as number), 'the held-out split is evaluated with the fixture term');
});
