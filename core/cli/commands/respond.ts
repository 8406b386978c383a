/**
 * `attune respond`: answers one prompt or a .jsonl of prompts through a decoding policy and writes
 * one JSONL row per prompt — {prompt_id, prompt, model, response, decoding, intervention, trace,
 * meta} — the export format evaluation scores. The output file is written atomically at the end.
 */
import type { Argv } from 'yargs';
import { AttuneError } from '../../base/errors.js';
import { loadDecodingPolicy } from './decoding-policy-option.js';
import { openModelTarget, withModelTargetOptions } from './model-target.js';
import { nonEmptyPrompt } from './generate.js';

export function respondCommand(yargs: Argv): Argv {
  return yargs.command(
    'respond',
    'answer prompts through a decoding policy; JSONL rows with response, intervention and trace',
    (y) =>
      withModelTargetOptions(y)
        .option('policy', { type: 'string', describe: 'decoding policy: an item (decoding/safety-controller) or a YAML/JSON config (default decoding/sampling)' })
        .option('prompt', { type: 'string', describe: 'one user message to answer' })
        .option('data', { type: 'string', describe: '.jsonl of prompts: prompt or messages, optional prompt_id, system, meta' })
        .option('out', { type: 'string', describe: 'write the rows here (.jsonl, atomically); default standard output' })
        .option('system', { type: 'string', describe: 'system message for --prompt' })
        .option('batch-size', { type: 'number', default: 8, describe: 'conversations answered together' })
        .option('seed', { type: 'number', describe: 'seed for sampling (same seed, same replies)' })
        .option('plugin', { type: 'string', array: true, describe: 'extra plugin (path or package), repeatable' })
        .conflicts('prompt', 'data')
        .check((argv) => {
          if (argv.prompt === undefined && argv.data === undefined) throw new AttuneError('give --prompt <text> or --data <file.jsonl>');
          if (!Number.isInteger(argv['batch-size']) || argv['batch-size'] < 1) throw new AttuneError(`--batch-size must be a positive integer, got ${argv['batch-size']}`);
          if (argv.seed !== undefined && !(Number.isSafeInteger(argv.seed) && argv.seed >= 0)) throw new AttuneError(`--seed must be a non-negative integer, got ${argv.seed}`);
          return true;
        }),
    async (argv) => {
      const [{ readPromptRows }, { withParamOverrides }, { ModelTextGenerator }, { writeFileAtomic }] = await Promise.all([
        import('../../serve/prompt-rows.js'),
        import('../../serve/generator-overrides.js'),
        import('../../model/generation/text-generator.js'),
        import('../../base/atomic-write.js'),
      ]);
      const rows =
        argv.data !== undefined
          ? await readPromptRows(argv.data)
          : [{ promptId: '0', messages: [...(argv.system ? [{ role: 'system' as const, content: argv.system }] : []), { role: 'user' as const, content: nonEmptyPrompt(argv.prompt) }], meta: {} }];
      const { policy, ref } = await loadDecodingPolicy(argv.policy, argv.plugin ?? []);
      const target = await openModelTarget(argv);
      const lines: string[] = [];
      try {
        const size = argv['batch-size'];
        const generator = new ModelTextGenerator(target.model, { batchSize: size });
        for (let start = 0; start < rows.length; start += size) {
          const batch = rows.slice(start, start + size);
          // Each batch its own seed, so a row's reply does not depend on how many came before it only through order.
          const seeded = withParamOverrides(generator, argv.seed !== undefined ? { seed: argv.seed + start } : {});
          const began = performance.now();
          const replies = await policy.respond(
            batch.map((r) => r.messages),
            seeded,
          );
          const seconds = (performance.now() - began) / 1000 / batch.length;
          batch.forEach((r, k) => {
            const reply = replies[k]!;
            lines.push(
              JSON.stringify({
                prompt_id: r.promptId,
                prompt: r.messages.at(-1)!.content,
                model: target.id,
                response: reply.reply,
                decoding: { policy: ref.use, options: ref.options },
                intervention: reply.intervention ?? null,
                trace: reply.trace,
                meta: { ...r.meta, ...(r.messages.length > 1 ? { conversation: r.messages } : {}), seconds: Number(seconds.toFixed(3)) },
              }),
            );
          });
          if (argv.out !== undefined) process.stderr.write(`responded ${Math.min(start + size, rows.length)}/${rows.length}\n`);
        }
      } finally {
        await policy.dispose?.();
        await target.model.release();
      }
      const text = `${lines.join('\n')}\n`;
      if (argv.out !== undefined) {
        await writeFileAtomic(argv.out, text);
        process.stderr.write(`wrote ${rows.length} rows to ${argv.out}\n`);
      } else process.stdout.write(text);
    },
  );
}
