/** `attune generate`: one reply (chat template) or a raw continuation, streamed to stdout. */
import type { Argv } from 'yargs';
import { AttuneError } from '../../base/errors.js';
import { quantizationFromFlag, withQuantizeOption } from './quantize-option.js';
import { DEFAULT_MODEL } from '../../model/folder/resolve.js';
import type { InferenceModel } from '../../model/generation/inference-model.js';
import type { ModelTextGenerator } from '../../model/generation/text-generator.js';
import type { GeneratedRow } from '../../model/generation/generate.js';
import type { GenerationParams } from '../../kernel/extension-points/decoding-policy.js';
import type { Message } from '../../data/example.js';

/** Decoding flags shared by `generate` and `chat`. */
export function withDecodingOptions<T>(y: Argv<T>) {
  return withQuantizeOption(y)
    .option('max-new-tokens', { type: 'number', default: 128, describe: 'stop after this many new tokens' })
    .option('greedy', { type: 'boolean', describe: 'always take the most likely token' })
    .option('temperature', { type: 'number', describe: 'sample at this temperature (default: the model\'s generation_config)' })
    .option('top-p', { type: 'number', describe: 'nucleus sampling: keep the most likely tokens up to this mass' })
    .option('top-k', { type: 'number', describe: 'keep only the k most likely tokens (0: all)' })
    .option('repetition-penalty', { type: 'number', describe: 'penalize tokens already in the text (1: off)' })
    .option('stop', { type: 'string', array: true, describe: 'stop when the reply contains this text' })
    .option('seed', { type: 'number', describe: 'seed for sampling (same seed, same output)' })
    .conflicts('greedy', ['temperature', 'top-p', 'top-k']);
}

export interface DecodingArgs {
  'max-new-tokens': number;
  greedy?: boolean | undefined;
  temperature?: number | undefined;
  'top-p'?: number | undefined;
  'top-k'?: number | undefined;
  'repetition-penalty'?: number | undefined;
  stop?: string[] | undefined;
  seed?: number | undefined;
}

export function generationParams(argv: DecodingArgs): GenerationParams {
  const n = argv['max-new-tokens'];
  if (!Number.isInteger(n) || n < 1) throw new AttuneError(`--max-new-tokens must be a positive integer, got ${n}`);
  const t = argv.temperature;
  if (t !== undefined && !(t >= 0 && Number.isFinite(t))) throw new AttuneError(`--temperature must be 0 (greedy) or more, got ${t}`, 'Typical values: 0.7–1.0; --greedy for the most likely token.');
  if (argv.seed !== undefined && !(Number.isSafeInteger(argv.seed) && argv.seed >= 0)) throw new AttuneError(`--seed must be a non-negative integer, got ${argv.seed}`);
  return {
    maxNewTokens: n,
    ...(argv.greedy ? { temperature: 0 } : {}),
    ...(argv.temperature !== undefined ? { temperature: argv.temperature } : {}),
    ...(argv['top-p'] !== undefined ? { topP: argv['top-p'] } : {}),
    ...(argv['top-k'] !== undefined ? { topK: argv['top-k'] } : {}),
    ...(argv['repetition-penalty'] !== undefined ? { repetitionPenalty: argv['repetition-penalty'] } : {}),
    ...(argv.stop ? { stop: argv.stop } : {}),
    ...(argv.seed !== undefined ? { seed: argv.seed } : {}),
  };
}

/** A generator that streams its only row to stdout. */
export async function streamingGenerator(model: InferenceModel, useAdapter: boolean): Promise<ModelTextGenerator> {
  const { ModelTextGenerator } = await import('../../model/generation/text-generator.js');
  return new ModelTextGenerator(model, { useAdapter, batchSize: 1, onToken: (e) => e.text && process.stdout.write(e.text) });
}

export function finishNote(row: GeneratedRow): string {
  const why = row.finishReason === 'eos' ? 'end of sequence' : row.finishReason === 'stop' ? `stop string ${JSON.stringify(row.stop)}` : 'max new tokens';
  return `[${row.tokens.length} tokens, ${why}]`;
}

export function nonEmptyPrompt(prompt: string | undefined, flag = '--prompt'): string {
  if (prompt === undefined || prompt.trim() === '') throw new AttuneError(`${flag} is empty`, 'give the text to answer or continue');
  return prompt;
}

export function generateCommand(yargs: Argv): Argv {
  return yargs.command(
    'generate',
    'generate a reply (chat template) or a raw continuation, streamed',
    (y) =>
      withDecodingOptions(
        y
          .option('model', { type: 'string', default: DEFAULT_MODEL, describe: 'model folder, embedded model name, or hub id in the local cache' })
          .option('adapter', { type: 'string', describe: 'PEFT LoRA adapter folder to apply' })
          .option('prompt', { type: 'string', demandOption: true, describe: 'the user message (or, with --raw, the text to continue)' })
          .option('system', { type: 'string', describe: 'system message (chat template only)' })
          .option('raw', { type: 'boolean', default: false, describe: 'feed the prompt as is, without the chat template' })
          .conflicts('raw', 'system'),
      ),
    async (argv) => {
      const prompt = nonEmptyPrompt(argv.prompt);
      const params = generationParams(argv);
      const { InferenceModel } = await import('../../model/generation/inference-model.js');
      const model = await InferenceModel.open(argv.model, { ...(argv.adapter !== undefined ? { adapter: argv.adapter } : {}), quantization: await quantizationFromFlag(argv) });
      try {
        const generator = await streamingGenerator(model, true);
        const messages: Message[] = [...(argv.system ? [{ role: 'system' as const, content: argv.system }] : []), { role: 'user', content: prompt }];
        const ids = argv.raw ? model.folder.tokenizer.encode(prompt) : generator.encodeConversation(messages);
        const [row] = await generator.generateFromIds([ids], { params });
        process.stdout.write('\n');
        if (row) process.stderr.write(`${finishNote(row)}\n`);
      } finally {
        await model.release();
      }
    },
  );
}
