/** `attune classify`: logits (and label names, and an activation's output) of a sequence classifier for texts or text pairs. */
import type { Argv } from 'yargs';
import { AttuneError } from '../../base/errors.js';

export function classifyCommand(yargs: Argv): Argv {
  return yargs.command(
    'classify',
    'run a sequence classifier (BERT / RoBERTa / XLM-R, or a Qwen2/Llama/Mistral score head) on texts or text pairs',
    (y) =>
      y
        .option('model', { type: 'string', demandOption: true, describe: 'a …ForSequenceClassification folder (safetensors + tokenizer)' })
        .option('adapter', { type: 'string', describe: 'a PEFT LoRA adapter folder (SEQ_CLS, modules_to_save head) merged at load' })
        .option('text', { type: 'string', describe: 'one text (the first segment of a pair)' })
        .option('pair', { type: 'string', describe: 'second segment, e.g. the answer a cross-encoder scores against --text' })
        .option('data', { type: 'string', describe: '.jsonl with a "text" and an optional "pair" field per line' })
        .option('activation', { choices: ['none', 'sigmoid', 'softmax'] as const, default: 'none' as const, describe: 'also print the logits through this function' })
        .option('batch-size', { type: 'number', default: 16, describe: 'inputs per forward pass' })
        .option('max-length', { type: 'number', describe: 'truncate inputs (longest first) to this many tokens; default: the model limit' })
        .option('json', { type: 'boolean', default: false, describe: 'one JSON object per input' })
        .conflicts('text', 'data')
        .conflicts('pair', 'data')
        .check((argv) => {
          if (argv.text === undefined && argv.data === undefined) throw new AttuneError('give --text <text> [--pair <text>] or --data <file.jsonl>');
          if (!Number.isInteger(argv['batch-size']) || argv['batch-size'] < 1) throw new AttuneError(`--batch-size must be a positive integer, got ${argv['batch-size']}`);
          const max = argv['max-length'];
          if (max !== undefined && (!Number.isInteger(max) || max < 4)) throw new AttuneError(`--max-length must be an integer of at least 4, got ${max}`);
          return true;
        }),
    async (argv) => {
      const { SequenceClassifier, activate, readClassifierInputs } = await import('../../model/classifier/index.js');
      const inputs = argv.data !== undefined ? await readClassifierInputs(argv.data) : [argv.pair !== undefined ? { text: argv.text!, pair: argv.pair } : { text: argv.text! }];
      const classifier = await SequenceClassifier.open(argv.model, { batchSize: argv['batch-size'], ...(argv.adapter !== undefined ? { adapter: argv.adapter } : {}), ...(argv['max-length'] !== undefined ? { maxLength: argv['max-length'] } : {}) });
      try {
        const results = await classifier.classify(inputs);
        const labels = classifier.labels;
        results.forEach((result, i) => {
          const activated = argv.activation === 'none' ? undefined : activate(result.logits, argv.activation);
          if (argv.json) {
            process.stdout.write(`${JSON.stringify({ ...inputs[i], logits: result.logits, labels, ...(activated ? { [argv.activation]: activated } : {}), truncated: result.truncated })}\n`);
            return;
          }
          const cells = labels.map((label, k) => `${label} ${result.logits[k]!.toFixed(4)}${activated ? ` (${activated[k]!.toFixed(4)})` : ''}`);
          const where = inputs.length > 1 ? `${i + 1}: ` : '';
          process.stdout.write(`${where}${cells.join('  ')}${result.truncated > 0 ? `  [${result.truncated} tokens truncated]` : ''}\n`);
        });
        if (!argv.json) process.stdout.write(`(${classifier.folder.config.architecture}, ${classifier.problemType}${argv.activation === 'none' ? '' : `; ${argv.activation} in parentheses`})\n`);
      } finally {
        await classifier.release();
      }
    },
  );
}
