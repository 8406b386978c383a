/** `attune cp <recipe> <file>`: write a recipe's default config for editing. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Argv } from 'yargs';
import { RecipeError } from '../../base/errors.js';
import { writeFileAtomic } from '../../base/atomic-write.js';

export function cpCommand(yargs: Argv): Argv {
  return yargs.command(
    'cp <recipe> <file>',
    "write a recipe's default config to a file for editing",
    (y) =>
      y
        .positional('recipe', { type: 'string', demandOption: true })
        .positional('file', { type: 'string', demandOption: true })
        .option('force', { type: 'boolean', default: false, describe: 'overwrite an existing file' })
        .option('plugin', { type: 'string', array: true, describe: 'also load this plugin (for its recipes)' }),
    async (argv) => {
      const [{ defaultConfigPath }, { bootKernel }] = await Promise.all([import('../../kernel/recipes/recipe-config.js'), import('../boot.js')]);
      const kernel = await bootKernel({ plugins: argv.plugin });
      const entry = kernel.registries.recipes.resolve(argv.recipe);
      if (existsSync(argv.file) && statSync(argv.file).isDirectory()) {
        throw new RecipeError(`${argv.file} is a folder.`, `Give the config file's name, e.g. ${join(argv.file, 'config.yaml')}.`);
      }
      if (existsSync(argv.file) && !argv.force) {
        throw new RecipeError(`${argv.file} already exists.`, 'Choose another file name or pass --force.');
      }
      const source = defaultConfigPath(entry.value);
      const text = readFileSync(source, 'utf8');
      // The copy must stand alone: it names its recipe so `attune validate` knows the schema.
      const body = /^recipe:/m.test(text) ? text : `recipe: ${entry.ref}\n${text}`;
      await writeFileAtomic(argv.file, body);
      process.stdout.write(`wrote ${argv.file} (from ${relative(process.cwd(), source)}); run it with: attune run ${entry.ref} --config ${argv.file}\n`);
    },
  );
}
