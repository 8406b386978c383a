/** `attune perplexity`: mean per-token negative log-likelihood and perplexity of texts under a model. */
import type { Argv } from 'yargs';
import { AttuneError } from '../../base/errors.js';
import { DEFAULT_MODEL } from '../../model/folder/resolve.js';
import { quantizationFromFlag, withQuantizeOption } from './quantize-option.js';

export function perplexityCommand(yargs: Argv): Argv {
  return yargs.command(
    'perplexity',
    'mean negative log-likelihood per token (position t predicts token t+1) and perplexity',
    (y) =>
      withQuantizeOption(y, 'score')
        .option('model', { type: 'string', default: DEFAULT_MODEL, describe: 'model folder, embedded model name, or hub id in the local cache' })
        .option('adapter', { type: 'string', describe: 'PEFT LoRA adapter folder to apply' })
        .option('text', { type: 'string', describe: 'one text to score' })
        .option('data', { type: 'string', describe: '.txt (one text per line) or .jsonl (a text field per line)' })
        .option('field', { type: 'string', default: 'text', describe: 'the .jsonl field holding the text' })
        .option('batch-size', { type: 'number', default: 4, describe: 'texts per forward pass' })
        .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
        .conflicts('text', 'data')
        .check((argv) => {
          if (argv.text === undefined && argv.data === undefined) throw new AttuneError('give --text <text> or --data <file>');
          return true;
        }),
    async (argv) => {
      const [{ InferenceModel }, { perplexity }, { readTexts }] = await Promise.all([
        import('../../model/generation/inference-model.js'),
        import('../../model/generation/score.js'),
        import('../../model/generation/text-file.js'),
      ]);
      if (argv.text !== undefined && argv.text.trim() === '') throw new AttuneError('--text is empty', 'give the text to score');
      const texts = argv.text !== undefined ? [argv.text] : await readTexts(argv.data as string, argv.field);
      // Scoring through quantized weights is what a QLoRA run trains against: the folder carries them.
      const quantization = await quantizationFromFlag(argv);
      const [{ openModelFolder }, { withQuantization }] = await Promise.all([import('../../model/folder/open-model-folder.js'), import('../../model/quantize/with-quantization.js')]);
      const folder = quantization ? await withQuantization(await openModelFolder(argv.model), quantization) : argv.model;
      const model = await InferenceModel.open(folder, argv.adapter !== undefined ? { adapter: argv.adapter } : {});
      try {
        const ids = texts.map((t) => model.folder.tokenizer.encode(t));
        const result = await perplexity(model, ids, { batchSize: argv['batch-size'] });
        if (argv.json) process.stdout.write(`${JSON.stringify({ model: model.folder.dir, adapter: argv.adapter ?? null, ...result })}\n`);
        else {
          process.stdout.write(
            `mean NLL:   ${result.meanNll.toFixed(4)} nats/token over ${result.tokens} predicted tokens (${result.sequences} text${result.sequences === 1 ? '' : 's'})\n` +
              `perplexity: ${result.perplexity.toFixed(3)}\n`,
          );
        }
      } finally {
        await model.release();
      }
    },
  );
}
