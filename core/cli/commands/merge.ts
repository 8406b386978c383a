/** `attune merge`: folds a LoRA adapter into its base model and writes a complete Hugging Face folder. */
import type { Argv } from 'yargs';

export function mergeCommand(yargs: Argv): Argv {
  return yargs.command(
    'merge',
    'merge a LoRA adapter into its base model: a complete Hugging Face folder (weights, config, tokenizer, generation config)',
    (y) =>
      y
        .option('model', { type: 'string', demandOption: true, describe: 'base model folder, embedded model name, or hub id in the local cache' })
        .option('adapter', { type: 'string', demandOption: true, describe: "PEFT adapter folder, or a run's final/ directory (holding adapter/)" })
        .option('out', { type: 'string', demandOption: true, describe: 'folder to write (must not exist, or be empty)' })
        .option('dtype', { choices: ['fp32', 'fp16', 'bf16'] as const, describe: "store the weights in this dtype (default: the base's own)" })
        .option('force', { type: 'boolean', default: false, describe: 'merge even though the adapter names another base model' }),
    async (argv) => {
      const [{ mergeAdapter }, { existsSync, readdirSync }, { AttuneError }] = await Promise.all([import('../../model/lora/merge-adapter.js'), import('node:fs'), import('../../base/errors.js')]);
      if (existsSync(argv.out) && readdirSync(argv.out).length > 0) throw new AttuneError(`--out ${argv.out} exists and is not empty.`, 'Choose a new folder: merge never overwrites one.');
      const result = await mergeAdapter({ model: argv.model, adapter: argv.adapter, out: argv.out, ...(argv.dtype ? { dtype: argv.dtype } : {}), force: argv.force });
      process.stdout.write(`merged ${result.mergedModules} adapted projections of ${result.base} into ${result.out}${argv.dtype ? ` (${argv.dtype})` : ''}\n`);
    },
  );
}
