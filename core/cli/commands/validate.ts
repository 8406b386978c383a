/** `attune validate <file>`: check a config against its recipe's schema without running. */
import type { Argv } from 'yargs';
import { ConfigError } from '../../base/errors.js';

export function validateCommand(yargs: Argv): Argv {
  return yargs.command(
    'validate <file>',
    'check a config file against its recipe',
    (y) =>
      y
        .positional('file', { type: 'string', demandOption: true })
        .option('recipe', { type: 'string', describe: "the recipe, if the file has no 'recipe:' key" })
        .option('plugin', { type: 'string', array: true, describe: 'also load this plugin' }),
    async (argv) => {
      const [{ loadConfig }, { resolveRecipeConfig }, { bootKernel }] = await Promise.all([
        import('../../kernel/config/load-config.js'),
        import('../../kernel/recipes/recipe-config.js'),
        import('../boot.js'),
      ]);
      const recipeName = argv.recipe ?? loadConfig(argv.file).recipe;
      if (!recipeName) {
        throw new ConfigError(`${argv.file} does not say which recipe it is for.`, "Add a top-level 'recipe: <name>' key or pass --recipe <name>.");
      }
      const kernel = await bootKernel({ plugins: argv.plugin, configFiles: [argv.file] });
      const entry = kernel.registries.recipes.resolve(recipeName);
      resolveRecipeConfig(kernel, entry.ref, entry.value, { file: argv.file });
      process.stdout.write(`${argv.file}: valid config for ${entry.ref}\n`);
    },
  );
}
