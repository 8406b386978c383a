/** `attune chat --run <dir>`: talk to what a training run produced (or, with --base, to its base model). */
import { createInterface } from 'node:readline';
import type { Argv } from 'yargs';
import type { Message } from '../../data/example.js';
import { AttuneError } from '../../base/errors.js';
import { quantizationFromFlag } from './quantize-option.js';
import { finishNote, generationParams, nonEmptyPrompt, streamingGenerator, withDecodingOptions } from './generate.js';

export function chatCommand(yargs: Argv): Argv {
  return yargs.command(
    'chat',
    "chat with a training run's adapter (interactive, or one --prompt)",
    (y) =>
      withDecodingOptions(
        y
          .option('run', { type: 'string', demandOption: true, describe: 'run directory of a training run' })
          .option('prompt', { type: 'string', describe: 'answer this one message and exit' })
          .option('system', { type: 'string', describe: 'system message' })
          .option('base', { type: 'boolean', default: false, describe: 'answer with the base model (adapter off), for comparison' })
          .option('model', { type: 'string', describe: 'base model folder, when the run recorded none or it moved' })
          .option('policy', { type: 'string', describe: 'answer through a decoding policy (an item such as decoding/safety-controller, or a YAML/JSON config); replies are shown whole, not streamed' })
          .option('plugin', { type: 'string', array: true, describe: 'extra plugin (path or package), repeatable' }),
      ),
    async (argv) => {
      const params = generationParams(argv);
      const [{ InferenceModel }, { findRunAdapter }] = await Promise.all([
        import('../../model/generation/inference-model.js'),
        import('../../model/generation/run-adapter.js'),
      ]);
      const found = findRunAdapter(argv.run);
      const base = argv.model ?? found.baseModel;
      if (base === undefined) {
        throw new AttuneError(
          `run ${found.runDir}: neither ${found.adapterDir}/adapter_config.json (base_model_name_or_path) nor the run config (model) names the base model`,
          'pass it with --model <folder or embedded name>',
        );
      }
      // A policy may call the model several times (a hidden plan, a crisis reply it repairs): only its final reply is shown.
      const loaded = argv.policy !== undefined ? await (await import('./decoding-policy-option.js')).loadDecodingPolicy(argv.policy, argv.plugin ?? []) : undefined;
      const model = await InferenceModel.open(base, { adapter: found.adapterDir, quantization: await quantizationFromFlag(argv) });
      const generator = await streamingGenerator(model, !argv.base);
      const system: Message[] = argv.system ? [{ role: 'system', content: argv.system }] : [];
      const reply = async (history: Message[]): Promise<string> => {
        if (loaded) {
          const { ModelTextGenerator } = await import('../../model/generation/text-generator.js');
          const { withParamOverrides } = await import('../../serve/generator-overrides.js');
          const [answer] = await loaded.policy.respond([history], withParamOverrides(new ModelTextGenerator(model, { useAdapter: !argv.base }), params));
          process.stdout.write(`${answer?.reply ?? ''}\n`);
          if (answer?.intervention) process.stderr.write(`[${loaded.ref.use} intervened: ${answer.intervention.kind} — ${answer.intervention.reason}]\n`);
          return answer?.reply ?? '';
        }
        const [row] = await generator.generateFromIds([generator.encodeConversation(history)], { params });
        process.stdout.write('\n');
        if (row) process.stderr.write(`${finishNote(row)}\n`);
        return row?.text ?? '';
      };
      try {
        if (argv.prompt !== undefined) {
          await reply([...system, { role: 'user', content: nonEmptyPrompt(argv.prompt) }]);
          return;
        }
        const who = argv.base ? `base model ${model.folder.dir}` : `adapter ${found.adapterDir}`;
        process.stderr.write(`Chatting with ${who}. /reset starts over, /exit or Ctrl-D quits.\n`);
        // Lines are read through the async iterator, which buffers input that arrives while a reply
        // is being generated (piped input); rl.question would drop it.
        const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY === true });
        rl.setPrompt('you> ');
        let history: Message[] = [...system];
        try {
          rl.prompt();
          for await (const line of rl) {
            const text = line.trim();
            if (text === '/exit') break;
            if (text === '/reset') history = [...system];
            else if (text !== '') {
              history.push({ role: 'user', content: text });
              process.stdout.write('assistant> ');
              history.push({ role: 'assistant', content: await reply(history) });
            }
            rl.prompt();
          }
        } finally {
          rl.close();
        }
      } finally {
        await loaded?.policy.dispose?.();
        await model.release();
      }
    },
  );
}
