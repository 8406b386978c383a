/** `attune validate <file>`: check a config against its recipe's schema, and what a run would fail on at once, without running. */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { ConfigError } from '../../base/errors.js';

/**
 * Paths a run reads at once, anywhere in a validated config, with their key paths: source paths
 * (`{kind: sources, options: {path}}`) and curriculum files (`sampling: {kind: curriculum, file}`).
 */
function sourcePaths(value: unknown, path: string, out: { key: string; path: string }[]): void {
  if (!value || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  if (record.kind === 'curriculum' && typeof record.file === 'string') {
    out.push({ key: `${path}.file`, path: record.file });
    return;
  }
  if (record.kind === 'sources' && typeof record.use === 'string') {
    const p = (record.options as Record<string, unknown> | undefined)?.path;
    if (typeof p === 'string' && p !== '') out.push({ key: `${path}.options.path`, path: p });
    return;
  }
  for (const [k, child] of Object.entries(record)) sourcePaths(child, path ? `${path}.${k}` : k, out);
}

export function validateCommand(yargs: Argv): Argv {
  return yargs.command(
    'validate <file>',
    'check a config file against its recipe, and that its model and data paths exist',
    (y) =>
      y
        .positional('file', { type: 'string', demandOption: true })
        .option('recipe', { type: 'string', describe: "the recipe, if the file has no 'recipe:' key" })
        .option('set', { type: 'string', array: true, describe: 'override a key as run would: --set trainer.options.lr=2e-4' })
        .option('plugin', { type: 'string', array: true, describe: 'also load this plugin' }),
    async (argv) => {
      const [{ loadConfig }, { resolveRecipeConfig }, { bootKernel }, { parseOverride }, { resolveModelFolder }] = await Promise.all([
        import('../../kernel/config/load-config.js'),
        import('../../kernel/recipes/recipe-config.js'),
        import('../boot.js'),
        import('../../kernel/config/overrides.js'),
        import('../../model/folder/resolve.js'),
      ]);
      const recipeName = argv.recipe ?? loadConfig(argv.file).recipe;
      if (!recipeName) {
        throw new ConfigError(`${argv.file} does not say which recipe it is for.`, "Add a top-level 'recipe: <name>' key or pass --recipe <name>.");
      }
      const overrides = (argv.set ?? []).map(parseOverride);
      const kernel = await bootKernel({ plugins: argv.plugin, configFiles: [argv.file] });
      const entry = kernel.registries.recipes.resolve(recipeName);
      const config = resolveRecipeConfig(kernel, entry.ref, entry.value, { file: argv.file, overrides });
      // What a run would fail on in its first seconds: a model or a data folder that is not there.
      const problems: string[] = [];
      if (typeof config.model === 'string') {
        try {
          resolveModelFolder(config.model);
        } catch (error) {
          problems.push(`model: ${(error as Error).message}`);
        }
      }
      const found: { key: string; path: string }[] = [];
      sourcePaths(config, '', found);
      for (const { key, path } of found) {
        const full = resolve(dirname(resolve(argv.file)), path);
        if (!existsSync(full)) problems.push(`${key}: ${path} does not exist (looked at ${full})`);
      }
      if (problems.length) throw new ConfigError(`${argv.file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} a run would stop on:\n  - ${problems.join('\n  - ')}`, 'fix the paths (relative paths are read from the config file\'s folder; models also from the working directory)');
      process.stdout.write(`${argv.file}: valid config for ${entry.ref}${overrides.length ? ` (with ${overrides.map((o) => o.source).join(', ')})` : ''}\n`);
    },
  );
}
