import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { defineItem, definePlugin } from '../../core/kernel/index.js';
import type { PluginDefinition } from '../../core/kernel/index.js';
import { Kernel } from '../../core/kernel/kernel.js';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromPackageRoot } from '../../core/base/paths.js';
import { fixtureKernel, fixturePluginPath, tempDir } from './helpers.js';

const source = defineItem({
  description: 'empty source',
  options: z.strictObject({}),
  create: () => ({ splits: ['train'], load: async () => ({ examples: [], issues: [], files: [] }) }),
});

const plugin = (name: string, version = '1.0.0', extra: Partial<PluginDefinition> = {}): PluginDefinition =>
  definePlugin({ name, version, register: (ctx) => ctx.sources.register('empty', source), ...extra });

describe('plugin registration', () => {
  test('items are registered as plugin/item and resolvable by full or unique bare name', async () => {
    const kernel = await new Kernel().load({ builtins: [plugin('alpha')] });
    assert.equal(kernel.registries.items.sources.resolve('alpha/empty').ref, 'alpha/empty');
    assert.equal(kernel.registries.items.sources.resolve('empty').plugin, 'alpha');
  });

  test('two plugins with the same name: the error names both origins', async () => {
    await assert.rejects(
      new Kernel().load({ builtins: [plugin('alpha'), plugin('alpha', '2.0.0')] }),
      (error: Error) => /Two plugins are named 'alpha': one from built-in, one from built-in/.test(error.message),
    );
  });

  test('the same item registered twice names both plugins', async () => {
    const twice = definePlugin({
      name: 'beta',
      version: '1.0.0',
      register(ctx) {
        ctx.sources.register('empty', source);
        ctx.sources.register('empty', source);
      },
    });
    await assert.rejects(new Kernel().load({ builtins: [twice] }), /DatasetSource 'beta\/empty' is registered twice: by plugin 'beta' and by plugin 'beta'/);
  });

  test('a missing requirement names the requiring plugin and the missing one', async () => {
    await assert.rejects(
      new Kernel().load({ builtins: [plugin('needy', '1.0.0', { requires: { helper: '^1.0.0' } })] }),
      /Plugin 'needy' \(from built-in\) requires plugin 'helper' \^1\.0\.0, which is not loaded/,
    );
  });

  test('a version mismatch names both parties and both versions', async () => {
    await assert.rejects(
      new Kernel().load({ builtins: [plugin('helper', '1.4.0'), plugin('needy', '1.0.0', { requires: { helper: '^2.0.0' } })] }),
      /Plugin 'needy' \(from built-in\) requires 'helper' \^2\.0\.0, but 'helper' 1\.4\.0 is loaded \(from built-in\)/,
    );
  });

  test('requirements are registered first regardless of order in the batch', async () => {
    const order: string[] = [];
    const a = definePlugin({ name: 'a', version: '1.0.0', requires: { b: '1.x' }, register: () => void order.push('a') });
    const b = definePlugin({ name: 'b', version: '1.0.0', register: () => void order.push('b') });
    await new Kernel().load({ builtins: [a, b] });
    assert.deepEqual(order, ['b', 'a']);
  });

  test('the kernel version can be required as `attune`', async () => {
    await assert.rejects(new Kernel().load({ builtins: [plugin('future', '1.0.0', { requires: { attune: '>=99.0.0' } })] }), /requires 'attune' >=99\.0\.0, but 'attune' .* is loaded \(from the kernel\)/);
  });

  test('an invalid definition says which fields are wrong', async () => {
    await assert.rejects(
      new Kernel().load({ builtins: [{ name: 'Bad Name', version: 'one', register: 3 } as unknown as PluginDefinition] }),
      (error: Error) => /name: lowercase/.test(error.message) && /version: a semantic version/.test(error.message) && /register: a function/.test(error.message),
    );
  });

  test('an item without an options schema is refused', async () => {
    const broken = definePlugin({
      name: 'broken',
      version: '1.0.0',
      register: (ctx) => ctx.rewards.register('r', { description: 'x', create: () => ({ score: async () => [] }) } as never),
    });
    await assert.rejects(new Kernel().load({ builtins: [broken] }), /registers rewards item 'r' without options \(a zod schema\)/);
  });

  test('unknown items get suggestions', async () => {
    const kernel = await fixtureKernel();
    assert.throws(() => kernel.registries.items.sources.resolve('fixture/line'), /Unknown DatasetSource 'fixture\/line'\. Did you mean 'fixture\/lines'\?/);
    assert.throws(() => kernel.registries.recipes.resolve('count-line'), /Did you mean 'count-lines'\?/);
  });
});

describe('third-party plugin loaded by path, as a user would', () => {
  test('registers items of every extension point and a recipe', async () => {
    const kernel = await fixtureKernel();
    const plugins = kernel.host.plugins();
    assert.equal(plugins.length, 1);
    assert.equal(plugins[0]!.name, 'fixture');
    assert.match(plugins[0]!.origin, /third-party-plugin\/index\.ts$/);
    const expected = { sources: ['fixture/lines', 'fixture/weighted-replies'], objectives: ['fixture/length', 'fixture/weighted-nll'], rewards: ['fixture/length'], trainers: ['fixture/counting'], decoding: ['fixture/echo'], evaluators: ['fixture/non-empty'] };
    for (const [kind, refs] of Object.entries(expected) as [keyof typeof expected, string[]][]) {
      assert.deepEqual(kernel.registries.items[kind].list().map((e) => e.ref).sort(), refs, kind);
    }
    assert.ok(kernel.registries.recipes.has('count-lines'));
  });

  test('its items work through the kernel', async () => {
    const kernel = await fixtureKernel();
    const reward = await kernel.create({ kind: 'rewards', use: 'fixture/length', options: { target: 2 } }, { baseDir: fixturePluginPath, warn: () => {} });
    assert.deepEqual(await reward.score({ prompts: [[], []], completions: [{ text: 'one two', tokenIds: [] }, { text: 'one two three four', tokenIds: [] }], examples: [], groups: [0, 1] }), [-0, -2]);
  });

  test('a missing plugin path and an uninstalled package are clear errors', async () => {
    await assert.rejects(new Kernel().load({ specifiers: ['./no/such/plugin.ts'] }), /Plugin not found: \.\/no\/such\/plugin\.ts/);
    await assert.rejects(new Kernel().load({ specifiers: ['attune-plugin-that-does-not-exist'] }), /Plugin package 'attune-plugin-that-does-not-exist' is not installed/);
  });
});

describe('a plugin installed as an npm package', () => {
  test('is resolved by package name from the working directory, like the user’s own imports', async () => {
    const project = tempDir();
    const pkg = join(project, 'node_modules', 'attune-plugin-demo');
    mkdirSync(pkg, { recursive: true });
    // The plugin's own dependency on zod, installed beside it.
    symlinkSync(fromPackageRoot('node_modules', 'zod'), join(project, 'node_modules', 'zod'), 'dir');
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'attune-plugin-demo', version: '0.3.0', type: 'module', main: 'index.js' }));
    writeFileSync(
      join(pkg, 'index.js'),
      [
        "import { z } from 'zod';",
        'export default {',
        "  name: 'demo', version: '0.3.0',",
        '  register(ctx) {',
        "    ctx.rewards.register('constant', { description: 'always the same score', options: z.object({ value: z.number().default(1) }), create: (o) => ({ score: async (b) => b.completions.map(() => o.value) }) });",
        '  },',
        '};',
      ].join('\n'),
    );
    const kernel = await new Kernel().load({ specifiers: ['attune-plugin-demo'], cwd: project });
    const entry = kernel.registries.items.rewards.resolve('demo/constant');
    assert.match(kernel.host.plugins()[0]!.origin, /node_modules\/attune-plugin-demo\/index\.js$/);
    const reward = await kernel.create({ kind: 'rewards', use: entry.ref, options: { value: 3 } }, { baseDir: project, warn: () => {} });
    assert.deepEqual(await reward.score({ prompts: [[]], completions: [{ text: 'x', tokenIds: [] }], examples: [], groups: [0] }), [3]);
  });
});
