/** `attune data inspect <source>`: what a source yields, before training on it. */
import type { Argv } from 'yargs';

export function dataCommand(yargs: Argv): Argv {
  return yargs.command('data', 'work with dataset sources', (y) =>
    y
      .command(
        'inspect <source>',
        'per-split counts, label distributions, token lengths, bad rows and the leakage check',
        (c) =>
          c
            .positional('source', { type: 'string', demandOption: true, describe: 'a source item, e.g. esconv or sources/esconv' })
            .option('path', { type: 'string', describe: 'file or folder to read (default: the slice the source ships)' })
            .option('split', { type: 'string', array: true, describe: 'only these splits' })
            .option('model', { type: 'string', default: 'attune-tiny-qwen2', describe: 'model whose chat template counts tokens' })
            .option('bad-rows', { choices: ['skip', 'fail'] as const, default: 'skip' as const, describe: 'skip and count malformed rows, or stop at the first' })
            .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
            .option('plugin', { type: 'string', array: true, describe: 'also load this plugin' }),
        async (argv) => {
          const [{ chatTokenCounter, inspectSource }, { formatSplitReport }, { bootKernel }] = await Promise.all([
            import('../../data/inspect/inspect-source.js'),
            import('../../data/inspect/format-report.js'),
            import('../boot.js'),
          ]);
          const kernel = await bootKernel({ plugins: argv.plugin });
          const entry = kernel.registries.items.sources.resolve(argv.source);
          const options = { ...(argv.path !== undefined && { path: argv.path }), badRows: argv['bad-rows'] };
          const parsed = entry.value.options.parse(options) as Record<string, unknown>;
          const source = await kernel.create({ kind: 'sources', use: entry.ref, options: parsed }, { baseDir: process.cwd(), warn: (m) => process.stderr.write(`warning: ${m}\n`) });
          const reports = await inspectSource(entry.ref, source, {
            ...(argv.split && { splits: argv.split }),
            tokenizer: await chatTokenCounter(argv.model),
            onSplit: (report) => {
              if (!argv.json) process.stdout.write(`${formatSplitReport(report)}\n`);
            },
          });
          if (argv.json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
        },
      )
      .demandCommand(1, 'Name a data command: attune data inspect <source>'),
  );
}
