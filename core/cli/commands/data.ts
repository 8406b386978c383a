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
            .option('duplicates', { choices: ['keep', 'drop'] as const, default: 'keep' as const, describe: 'examples repeating an earlier one: keep (and report) or drop them' })
            .option('max-row-chars', { type: 'number', describe: 'a longer row is a bad row (default: the source\'s maxRowChars, 1,000,000)' })
            .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
            .option('plugin', { type: 'string', array: true, describe: 'also load this plugin' }),
        async (argv) => {
          const [{ chatTokenCounter, inspectSource }, { formatSplitReport }, { bootKernel }, { validateConfig }] = await Promise.all([
            import('../../data/inspect/inspect-source.js'),
            import('../../data/inspect/format-report.js'),
            import('../boot.js'),
            import('../../kernel/config/validate-config.js'),
          ]);
          const kernel = await bootKernel({ plugins: argv.plugin });
          const entry = kernel.registries.items.sources.resolve(argv.source);
          const options = {
            ...(argv.path !== undefined && { path: argv.path }),
            badRows: argv['bad-rows'],
            duplicates: argv.duplicates,
            ...(argv['max-row-chars'] !== undefined && { maxRowChars: argv['max-row-chars'] }),
          };
          const parsed = validateConfig(entry.value.options, options, { label: `the options of ${entry.ref} (--path, --bad-rows, --duplicates, --max-row-chars)` }) as Record<string, unknown>;
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
