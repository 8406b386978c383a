import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { defineItem, definePlugin, defineRecipe, itemRef } from '../../core/kernel/index.js';
import type { DecodingPolicy, Evaluator, Reward } from '../../core/kernel/index.js';
import { Kernel } from '../../core/kernel/kernel.js';
import { resolveRecipeConfig } from '../../core/kernel/recipes/recipe-config.js';
import { describeSchema } from '../../core/kernel/recipes/describe-schema.js';
import { runRecipe } from '../../core/kernel/runs/run-recipe.js';
import { describeRecipe } from '../../core/cli/commands/describe.js';
import type { ConfigError } from '../../core/base/errors.js';
import { tempDir } from './helpers.js';

interface Classifier extends Reward {
  threshold: number;
}
interface Safety extends DecodingPolicy {
  classifier: Classifier;
}
interface Judged extends Evaluator {
  policy: Safety;
}

const classifier = defineItem({
  description: 'flags replies longer than a threshold (fixture)',
  options: z.strictObject({ threshold: z.number().min(0).max(1).default(0.5).describe('flag above this score') }),
  create: (options, env): Classifier => {
    env.warn('classifier loaded');
    return { threshold: options.threshold, score: (batch) => batch.completions.map((c) => (c.text.length > 3 ? 1 : 0)) };
  },
});

const safety = defineItem({
  description: 'replaces flagged replies (fixture)',
  options: z.strictObject({
    classifier: itemRef('rewards', 'the classifier that flags replies'),
    message: z.string().default('I am here to listen.'),
  }),
  create: async (options, env): Promise<Safety> => {
    const inner = await env.create!(options.classifier);
    return { classifier: inner as Classifier, respond: async () => [] };
  },
});

const judged = defineItem({
  description: 'evaluates a decoding policy (fixture)',
  options: z.strictObject({ policy: itemRef('decoding') }),
  create: async (options, env): Promise<Judged> => ({
    policy: (await env.create!(options.policy)) as Safety,
    evaluate: async () => ({ metrics: {} }),
  }) as unknown as Judged,
});

const empty = defineItem({
  description: 'empty source',
  options: z.strictObject({}),
  create: () => ({ splits: ['train'], load: async () => ({ examples: [], issues: [], files: [] }) }),
});

function composeKernel(defaultConfig = '/nonexistent.yaml'): Promise<Kernel> {
  const plugin = definePlugin({
    name: 'guard',
    version: '1.0.0',
    register(ctx) {
      ctx.rewards.register('classifier', classifier);
      ctx.decoding.register('safety', safety);
      ctx.evaluators.register('judged', judged);
      ctx.sources.register('empty', empty);
      ctx.recipes.register(
        'guarded',
        defineRecipe({
          description: 'builds a composed decoding policy (fixture)',
          stages: [],
          config: (items) => z.strictObject({ decoding: items.ref('decoding'), evaluator: items.ref('evaluators').optional() }),
          defaultConfig,
          run: async (config, run) => {
            const policy = (await run.create(config.decoding)) as Safety;
            return { metrics: { threshold: policy.classifier.threshold } };
          },
        }),
      );
    },
  });
  return new Kernel().load({ builtins: [plugin] });
}

async function validate(data: Record<string, unknown>): Promise<Record<string, unknown>> {
  const kernel = await composeKernel();
  return resolveRecipeConfig(kernel, 'guard/guarded', kernel.registries.recipes.resolve('guarded').value, { data, label: 'test config' });
}

function problemsOf(error: unknown): string {
  return (error as ConfigError).message;
}

describe('items that reference items', () => {
  test('a valid config validates the inner reference and creates both items', async () => {
    const config = await validate({ decoding: { use: 'guard/safety', options: { classifier: { use: 'classifier', options: { threshold: 0.8 } } } } });
    assert.deepEqual(config.decoding, {
      kind: 'decoding',
      use: 'guard/safety',
      options: { classifier: { kind: 'rewards', use: 'guard/classifier', options: { threshold: 0.8 } }, message: 'I am here to listen.' },
    });
    // The bare `plugin/item` form gets the inner item's defaults.
    const short = await validate({ decoding: { use: 'guard/safety', options: { classifier: 'guard/classifier' } } });
    assert.deepEqual((short.decoding as { options: { classifier: unknown } }).options.classifier, { kind: 'rewards', use: 'guard/classifier', options: { threshold: 0.5 } });

    const kernel = await composeKernel();
    const warnings: string[] = [];
    const policy = (await kernel.create(config.decoding as never, { baseDir: '.', warn: (m) => warnings.push(m) })) as Safety;
    assert.equal(policy.classifier.threshold, 0.8);
    assert.deepEqual(await policy.classifier.score({ prompts: [[], []], completions: [{ text: 'hi', tokenIds: [] }, { text: 'hello', tokenIds: [] }], examples: [], groups: [0, 0] }), [0, 1]);
    assert.deepEqual(warnings, ['classifier loaded'], 'the inner item gets the same environment');
  });

  test('references nest recursively (evaluator → decoding → reward)', async () => {
    const config = await validate({
      decoding: { use: 'safety', options: { classifier: 'classifier' } },
      evaluator: { use: 'guard/judged', options: { policy: { use: 'guard/safety', options: { classifier: { use: 'guard/classifier', options: { threshold: 0.25 } } } } } },
    });
    const kernel = await composeKernel();
    const evaluator = (await kernel.create(config.evaluator as never, { baseDir: '.', warn: () => {} })) as unknown as Judged;
    assert.equal(evaluator.policy.classifier.threshold, 0.25);

    await assert.rejects(
      validate({ decoding: 'guard/safety', evaluator: { use: 'guard/judged', options: { policy: { use: 'guard/safety', options: { classifier: { use: 'guard/classifier', options: { threshold: -1 } } } } } } }),
      (error) => /key 'evaluator\.options\.policy\.options\.classifier\.options\.threshold': Too small/.test(problemsOf(error)),
    );
  });

  test('a run builds the inner item through run.create, its warnings naming the inner item', async () => {
    const dir = tempDir();
    const file = join(dir, 'guarded.yaml');
    writeFileSync(file, 'decoding:\n  use: guard/safety\n  options:\n    classifier:\n      use: guard/classifier\n      options: { threshold: 0.9 }\n');
    const kernel = await composeKernel();
    const origins: string[] = [];
    const outcome = await runRecipe(kernel, { recipe: 'guarded', configFile: file, out: join(dir, 'run'), onBus: (bus) => bus.on('warning', (e) => origins.push(e.origin ?? '')) });
    assert.equal(outcome.status, 'completed');
    assert.deepEqual(outcome.result?.metrics, { threshold: 0.9 });
    assert.deepEqual(origins, ['guard/classifier']);
    // The saved effective config (with `kind:` recorded at every level) validates again on resume.
    const again = resolveRecipeConfig(kernel, 'guard/guarded', kernel.registries.recipes.resolve('guarded').value, {
      data: { decoding: { kind: 'decoding', use: 'guard/safety', options: { classifier: { kind: 'rewards', use: 'guard/classifier', options: { threshold: 0.9 } }, message: 'x' } }, seed: 1 },
      label: 'saved',
    });
    assert.equal(((again.decoding as { options: { classifier: { options: { threshold: number } } } }).options.classifier.options.threshold), 0.9);
  });

  test('an unknown inner item is a located error with the full key path and a suggestion', async () => {
    await assert.rejects(validate({ decoding: { use: 'guard/safety', options: { classifier: { use: 'guard/clasifier' } } } }), (error) => {
      const text = problemsOf(error);
      assert.match(text, /test config: key 'decoding\.options\.classifier\.use': unknown Reward 'guard\/clasifier'\. Did you mean 'guard\/classifier'\?/);
      assert.match(text, /Known: guard\/classifier/);
      return true;
    });
    await assert.rejects(validate({ decoding: { use: 'guard/safety', options: { classifier: 'nope' } } }), /key 'decoding\.options\.classifier': unknown Reward 'nope'/);
  });

  test('a bad or unknown inner option is located at the full key path, with the file position', async () => {
    await assert.rejects(
      validate({ decoding: { use: 'guard/safety', options: { classifier: { use: 'guard/classifier', options: { threshold: 'high' } } } } }),
      (error) => /key 'decoding\.options\.classifier\.options\.threshold': expected number, got string "high"/.test(problemsOf(error)),
    );
    await assert.rejects(
      validate({ decoding: { use: 'guard/safety', options: { classifier: { use: 'guard/classifier', options: { treshold: 0.3 } } } } }),
      (error) => /key 'decoding\.options\.classifier\.options\.treshold': unknown key 'treshold'\. Did you mean 'threshold'\?.*\(options of guard\/classifier\)/.test(problemsOf(error)),
    );
    await assert.rejects(validate({ decoding: { use: 'guard/safety', options: {} } }), /key 'decoding\.options\.classifier': /);

    const dir = tempDir();
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'decoding:\n  use: guard/safety\n  options:\n    classifier:\n      use: guard/classifier\n      options:\n        threshold: 7\n');
    const kernel = await composeKernel();
    assert.throws(
      () => resolveRecipeConfig(kernel, 'guard/guarded', kernel.registries.recipes.resolve('guarded').value, { file }),
      (error) => new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:7:20: key 'decoding\\.options\\.classifier\\.options\\.threshold': Too big`).test(problemsOf(error)),
    );
  });

  test('a reference to an item of another extension kind is refused', async () => {
    await assert.rejects(validate({ decoding: { use: 'guard/safety', options: { classifier: 'guard/empty' } } }), (error) =>
      /key 'decoding\.options\.classifier': 'guard\/empty' is a DatasetSource item, not a Reward: this key takes a Reward\. Known: guard\/classifier/.test(problemsOf(error)),
    );
    await assert.rejects(validate({ decoding: { use: 'guard/safety', options: { classifier: { use: 'guard/safety' } } } }), /key 'decoding\.options\.classifier\.use': 'guard\/safety' is a DecodingPolicy item, not a Reward/);
    await assert.rejects(validate({ decoding: { use: 'guard/safety', options: { classifier: { use: 'guard/classifier', kind: 'decoding' } } } }), /key 'decoding\.options\.classifier/);
  });

  test('itemRef outside any validation says where it belongs', () => {
    const parsed = itemRef('rewards').safeParse('guard/classifier');
    assert.equal(parsed.success, false);
    assert.match(parsed.error!.issues[0]!.message, /can only be validated while the kernel validates a config.*items\.ref\('rewards'\)/);
  });

  test('describe shows a nested reference as an item reference', async () => {
    const rows = describeSchema(safety.options);
    assert.deepEqual(rows[0], { key: 'classifier', type: 'rewards item', optional: false, doc: 'the classifier that flags replies' });
    const dir = tempDir();
    const file = join(dir, 'default.yaml');
    writeFileSync(file, 'decoding:\n  use: guard/safety\n  options:\n    classifier: guard/classifier\n');
    const text = describeRecipe(await composeKernel(file), 'guarded');
    assert.match(text, /Options of guard\/safety \(at decoding\.options\)/);
    assert.match(text, /classifier\s+rewards item\s+\[default config guard\/classifier; a config of your own must set it\]\s+the classifier that flags replies/);
  });
});
