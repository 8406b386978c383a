/** `attune describe <recipe>`: stages and every config key with its type, default and doc (see describe.ts). */
import type { Argv } from 'yargs';

export function describeCommand(yargs: Argv): Argv {
  return yargs.command(
    'describe <recipe>',
    'show a recipe: its stages and every config key with default and doc',
    (y) =>
      y
        .positional('recipe', { type: 'string', demandOption: true })
        .option('plugin', { type: 'string', array: true, describe: 'also load this plugin' }),
    async (argv) => {
      const [{ describeRecipe }, { bootKernel }] = await Promise.all([import('./describe.js'), import('../boot.js')]);
      const kernel = await bootKernel({ plugins: argv.plugin });
      process.stdout.write(`${describeRecipe(kernel, argv.recipe)}\n`);
    },
  );
}

