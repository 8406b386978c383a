/** `attune export onnx`: a model (with an adapter folded in) as the folder transformers.js loads. */
import type { Argv } from 'yargs';

export function exportCommand(yargs: Argv): Argv {
  return yargs.command('export', 'export a model for other runtimes', (y) =>
    y
      .command(
        'onnx',
        'the transformers.js layout: config, tokenizer, generation config and onnx/model.onnx (fp32, with the adapter folded in)',
        (c) =>
          c
            .option('model', { type: 'string', demandOption: true, describe: 'base model folder, embedded model name, or hub id in the local cache' })
            .option('adapter', { type: 'string', describe: "PEFT adapter folder, or a run's final/ directory, to fold in" })
            .option('out', { type: 'string', demandOption: true, describe: 'folder to write (must not exist, or be empty)' })
            .option('external-data', { choices: ['auto', 'always', 'never'] as const, default: 'auto' as const, describe: 'weights in onnx/model.onnx_data: auto writes it only when they are too large for one file (1.5 GB)' })
            .option('force', { type: 'boolean', default: false, describe: 'fold in an adapter that names another base model' }),
        async (argv) => {
          const { exportOnnx } = await import('../../model/export/export-onnx.js');
          const externalData = argv['external-data'] === 'auto' ? 'auto' : argv['external-data'] === 'always';
          const result = await exportOnnx({ model: argv.model, out: argv.out, externalData, force: argv.force, ...(argv.adapter !== undefined && { adapter: argv.adapter }) });
          const mb = (result.weightBytes / 1e6).toFixed(1);
          const folded = result.mergedModules > 0 ? `, ${result.mergedModules} adapted projections folded in` : '';
          process.stdout.write(`exported ${result.modelFile} (${mb} MB of fp32 weights${result.externalData ? ` in ${result.externalData}` : ''}${folded})\n`);
          process.stdout.write(`load it with transformers.js: await AutoModelForCausalLM.from_pretrained('${result.out}', { local_files_only: true })\n`);
        },
      )
      .demandCommand(1, 'Name an export format: attune export onnx'),
  );
}
