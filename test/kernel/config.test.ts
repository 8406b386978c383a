import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { loadConfig } from '../../core/kernel/config/load-config.js';
import { applyOverrides, parseOverride } from '../../core/kernel/config/overrides.js';
import { validateConfig } from '../../core/kernel/config/validate-config.js';
import type { ConfigError } from '../../core/base/errors.js';
import { resolveRecipeConfig } from '../../core/kernel/recipes/recipe-config.js';
import { Kernel } from '../../core/kernel/kernel.js';
import { defineItem } from '../../core/kernel/item.js';
import { definePlugin } from '../../core/kernel/plugins/plugin.js';
import { fixtureKernel, fixturePluginPath, tempDir } from './helpers.js';

describe('--set overrides', () => {
  test('values are typed like YAML scalars', () => {
    assert.deepEqual(parseOverride('train.lr=2e-4'), { path: ['train', 'lr'], value: 2e-4, source: 'train.lr=2e-4' });
    assert.equal(parseOverride('a=3').value, 3);
    assert.equal(parseOverride('a=true').value, true);
    assert.equal(parseOverride('a=null').value, null);
    assert.deepEqual(parseOverride('a=[1, two]').value, [1, 'two']);
    assert.equal(parseOverride('a=hello world').value, 'hello world');
    assert.equal(parseOverride('a="42"').value, '42');
    assert.equal(parseOverride('a=x=y').value, 'x=y');
  });

  test('numeric segments index lists', () => {
    assert.deepEqual(parseOverride('data.sources.1.weight=0.5').path, ['data', 'sources', 1, 'weight']);
    const config = { data: { sources: [{ w: 1 }, { w: 2 }] } };
    assert.deepEqual(applyOverrides(config, [parseOverride('data.sources.1.w=9')]), { data: { sources: [{ w: 1 }, { w: 9 }] } });
    assert.deepEqual(config.data.sources[1], { w: 2 }, 'the input is not mutated');
  });

  test('creates missing parents, refuses to descend into scalars', () => {
    assert.deepEqual(applyOverrides({}, [parseOverride('a.b.c=1')]), { a: { b: { c: 1 } } });
    assert.throws(() => applyOverrides({ a: 5 }, [parseOverride('a.b=1')]), /'a' is a number \(5\), so it has no key 'b'/);
  });

  test('malformed arguments are errors with an example', () => {
    assert.throws(() => parseOverride('train.lr'), (error: ConfigError) => /not of the form key\.path=value/.test(error.message) && /Example/.test(error.hint ?? ''));
    assert.throws(() => parseOverride('a..b=1'), /empty segment/);
    assert.throws(() => parseOverride('a=[1, 2'), /not valid YAML/);
  });
});

describe('config files', () => {
  test('extends merges objects and replaces lists; plugins resolve relative to the file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'base.yaml'), 'train:\n  lr: 0.001\n  steps: 10\ntags: [a, b]\nplugins: [./p1.ts]\n');
    writeFileSync(join(dir, 'child.yaml'), 'extends: base.yaml\nrecipe: demo\ntrain:\n  steps: 20\ntags: [c]\n');
    const loaded = loadConfig(join(dir, 'child.yaml'));
    assert.deepEqual(loaded.data, { train: { lr: 0.001, steps: 20 }, tags: ['c'] });
    assert.deepEqual(loaded.plugins, [join(dir, 'p1.ts')]);
    assert.equal(loaded.recipe, 'demo');
    assert.match(loaded.locate(['train', 'steps'])!, /child\.yaml:4:10$/);
    assert.match(loaded.locate(['train', 'lr'])!, /base\.yaml:2:7$/);
  });

  test('cycles, missing files and YAML syntax errors are located', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.yaml'), 'extends: b.yaml\n');
    writeFileSync(join(dir, 'b.yaml'), 'extends: a.yaml\n');
    assert.throws(() => loadConfig(join(dir, 'a.yaml')), /extend each other in a cycle/);
    writeFileSync(join(dir, 'c.yaml'), 'extends: missing.yaml\n');
    assert.throws(() => loadConfig(join(dir, 'c.yaml')), /Config file not found: .*missing\.yaml \(named by 'extends' in .*c\.yaml\)/);
    writeFileSync(join(dir, 'bad.yaml'), 'train:\n  lr: [1, 2\n');
    assert.throws(() => loadConfig(join(dir, 'bad.yaml')), /bad\.yaml:\d+:\d+: not valid YAML/);
    writeFileSync(join(dir, 'list.yaml'), '- 1\n- 2\n');
    assert.throws(() => loadConfig(join(dir, 'list.yaml')), /must be a mapping/);
  });
});

describe('validation errors name the key path, the place, expected and got', () => {
  const schema = z.strictObject({
    train: z.strictObject({ lr: z.number().positive(), steps: z.number().int().default(10) }),
    mode: z.enum(['fast', 'exact']).default('fast'),
  });

  test('wrong type with file position', () => {
    const dir = tempDir();
    const file = join(dir, 'cfg.yaml');
    writeFileSync(file, 'train:\n  lr: fast\n');
    const loaded = loadConfig(file);
    assert.throws(
      () => validateConfig(schema, loaded.data, { label: file, locate: loaded.locate }),
      (error: Error) => /cfg\.yaml:2:7: key 'train\.lr': expected number, got string "fast"/.test(error.message),
    );
  });

  test('unknown keys are errors with a did-you-mean, even in nested objects', () => {
    assert.throws(
      () => validateConfig(schema, { train: { lr: 1, stpes: 3 } }, { label: 'inline' }),
      /key 'train\.stpes': unknown key 'stpes'\. Did you mean 'steps'\?/,
    );
  });

  test('enum values are listed; --set is blamed for what it set', () => {
    const overrides = [parseOverride('mode=slow')];
    assert.throws(
      () => validateConfig(schema, applyOverrides({ train: { lr: 1 } }, overrides), { label: 'inline', overrides }),
      /--set mode=slow: key 'mode': expected one of "fast", "exact", got string "slow"/,
    );
  });

  test('defaults are filled in on success', () => {
    assert.deepEqual(validateConfig(schema, { train: { lr: 0.1 } }, { label: 'inline' }), { train: { lr: 0.1, steps: 10 }, mode: 'fast' });
  });
});

describe('recipe configs compose the item option schemas', () => {
  test('item options are validated with the full key path and location', async () => {
    const kernel = await fixtureKernel();
    const recipe = kernel.registries.recipes.resolve('count-lines').value;
    const dir = tempDir();
    const file = join(dir, 'cfg.yaml');
    writeFileSync(file, 'source:\n  use: fixture/lines\n  options:\n    file: 3\n    fiel: x\ntrainer: fixture/counting\n');
    assert.throws(
      () => resolveRecipeConfig(kernel, 'count-lines', recipe, { file }),
      (error: Error) =>
        /cfg\.yaml:5:11: key 'source\.options\.fiel': unknown key 'fiel'\. Did you mean 'file'\?/.test(error.message),
    );
    writeFileSync(file, 'source:\n  use: fixture/lines\n  options:\n    file: 3\ntrainer: fixture/counting\n');
    assert.throws(() => resolveRecipeConfig(kernel, 'count-lines', recipe, { file }), /cfg\.yaml:4:11: key 'source\.options\.file': expected string, got number 3/);
  });

  test("a --set key beside an item's `use` blames --set, once, and points under options", async () => {
    const kernel = await fixtureKernel();
    const recipe = kernel.registries.recipes.resolve('count-lines').value;
    const dir = tempDir();
    const file = join(dir, 'cfg.yaml');
    writeFileSync(file, 'source: { use: fixture/lines, options: { file: a.txt } }\ntrainer: fixture/counting\n');
    const overrides = [parseOverride('source.file=b.txt')];
    assert.throws(
      () => resolveRecipeConfig(kernel, 'count-lines', recipe, { file, overrides }),
      (error: Error) => {
        assert.match(error.message, /- --set source\.file=b\.txt: key 'source\.file': unknown key\. Item options go under 'options': did you mean 'source\.options\.file'\?/);
        assert.equal(error.message.match(/- /g)?.length, 1, 'one problem, reported once');
        return true;
      },
    );
  });

  test('an unknown item reference suggests the right one', async () => {
    const kernel = await fixtureKernel();
    const recipe = kernel.registries.recipes.resolve('count-lines').value;
    const dir = tempDir();
    const file = join(dir, 'cfg.yaml');
    writeFileSync(file, 'source: { use: fixture/lines, options: { file: a.txt } }\ntrainer: fixture/countin\n');
    assert.throws(() => resolveRecipeConfig(kernel, 'count-lines', recipe, { file }), /key 'trainer': unknown Trainer 'fixture\/countin'\. Did you mean 'fixture\/counting'\?/);
  });

  test('a bare item name two plugins register is a located error naming both', async () => {
    const otherLines = definePlugin({
      name: 'other',
      version: '1.0.0',
      register(ctx) {
        ctx.sources.register('lines', defineItem({ description: 'another lines source', options: z.strictObject({}), create: () => ({ splits: ['train'], load: async () => ({ examples: [], issues: [], files: [] }) }) }));
      },
    });
    const kernel = await new Kernel().load({ builtins: [otherLines], specifiers: [fixturePluginPath] });
    const recipe = kernel.registries.recipes.resolve('count-lines').value;
    const dir = tempDir();
    const file = join(dir, 'cfg.yaml');
    writeFileSync(file, 'trainer: fixture/counting\nsource:\n  use: lines\n');
    assert.throws(
      () => resolveRecipeConfig(kernel, 'count-lines', recipe, { file }),
      /cfg\.yaml:3:8: key 'source\.use': 'lines' names more than one DatasetSource: fixture\/lines, other\/lines\. Write it as plugin\/item\./,
    );
    writeFileSync(file, 'trainer: fixture/counting\nsource: lines\n');
    assert.throws(() => resolveRecipeConfig(kernel, 'count-lines', recipe, { file }), /cfg\.yaml:2:9: key 'source': 'lines' names more than one DatasetSource/);
    // Outside a config (`attune data inspect lines`) the registry says the same, not "unknown".
    assert.throws(() => kernel.registries.items.sources.resolve('lines'), /'lines' names more than one DatasetSource: fixture\/lines, other\/lines/);
    writeFileSync(file, 'trainer: fixture/counting\nsource: { use: fixture/lines, options: { file: a.txt } }\n');
    assert.equal((resolveRecipeConfig(kernel, 'count-lines', recipe, { file }) as { source: { use: string } }).source.use, 'fixture/lines');
  });

  test('a config written for another recipe is refused', async () => {
    const kernel = await fixtureKernel();
    const recipe = kernel.registries.recipes.resolve('count-lines').value;
    const dir = tempDir();
    const file = join(dir, 'cfg.yaml');
    writeFileSync(file, 'recipe: sft-multiobjective\n');
    assert.throws(() => resolveRecipeConfig(kernel, 'count-lines', recipe, { file }), /is a config for recipe 'sft-multiobjective', not 'count-lines'/);
  });

  test('the seed is part of every config and defaults to 42', async () => {
    const kernel = await fixtureKernel();
    const recipe = kernel.registries.recipes.resolve('count-lines').value;
    const config = resolveRecipeConfig(kernel, 'count-lines', recipe, { data: { source: { use: 'fixture/lines', options: { file: 'a.txt' } }, trainer: 'fixture/counting' }, label: 'inline' });
    assert.equal(config.seed, 42);
    assert.throws(() => resolveRecipeConfig(kernel, 'count-lines', recipe, { data: { source: { use: 'fixture/lines', options: { file: 'a.txt' } }, trainer: 'fixture/counting', seed: -1 }, label: 'inline' }), /key 'seed'/);
  });
});
