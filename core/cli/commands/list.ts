/** `attune list`: recipes, then plugins with their items by extension point. */
import type { Argv } from 'yargs';

export function listCommand(yargs: Argv): Argv {
  return yargs.command(
    'list',
    'list recipes, plugins and their items',
    (y) => y.option('plugin', { type: 'string', array: true, describe: 'also load this plugin (path or npm package)' }),
    async (argv) => {
      const [{ extensionKinds, extensionKindNames }, { bootKernel }] = await Promise.all([import('../../kernel/plugins/extension-kinds.js'), import('../boot.js')]);
      const kernel = await bootKernel({ plugins: argv.plugin });
      const out: string[] = ['Recipes:'];
      const recipes = kernel.registries.recipes.list();
      if (recipes.length === 0) out.push('  (none)');
      for (const r of recipes) out.push(`  ${r.ref.padEnd(28)} ${r.value.description}`);
      out.push('', 'Plugins:');
      for (const p of kernel.host.plugins()) out.push(`  ${p.name}@${p.version}  (${p.origin})`);
      for (const kind of extensionKindNames) {
        const items = kernel.registries.items[kind].list();
        if (items.length === 0) continue;
        out.push('', `${extensionKinds[kind]} items:`);
        for (const item of items) out.push(`  ${item.ref.padEnd(28)} ${item.value.description}`);
      }
      process.stdout.write(`${out.join('\n')}\n`);
    },
  );
}
