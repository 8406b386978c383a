/**
 * `attune serve`: the OpenAI-compatible server (Fastify) on a base model and its adapters, with
 * the web chat page at /. Loopback by default; Ctrl-C stops taking requests, lets the ones in
 * flight finish, and exits.
 */
import type { Argv } from 'yargs';
import { AttuneError } from '../../base/errors.js';
import { DEFAULT_MODEL } from '../../model/folder/resolve.js';
import { quantizationFromFlag, withQuantizeOption } from './quantize-option.js';

function adapterSpecs(values: readonly string[]): { name: string; path: string }[] {
  return values.map((v) => {
    const at = v.indexOf('=');
    if (at <= 0 || at === v.length - 1) throw new AttuneError(`--adapter ${v}: expected name=<folder>`, 'e.g. --adapter empathic=runs/sft-1/final/adapter');
    return { name: v.slice(0, at), path: v.slice(at + 1) };
  });
}

export function serveCommand(yargs: Argv): Argv {
  return yargs.command(
    'serve',
    'serve a model and its adapters over an OpenAI-compatible API, with a web chat page',
    (y) =>
      withQuantizeOption(y)
        .option('model', { type: 'string', default: DEFAULT_MODEL, describe: 'base model folder or embedded name' })
        .option('served-model-name', { type: 'string', describe: "the base model's id in /v1/models (default: its folder name)" })
        .option('adapter', { type: 'string', array: true, describe: 'a LoRA adapter as name=<folder>, repeatable; each is a model id' })
        .option('policy', { type: 'string', describe: 'default decoding policy (an item or a YAML/JSON config); default none: plain generation, streamed token by token' })
        .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on (loopback by default)' })
        .option('port', { type: 'number', default: 8000, describe: 'port (0: any free one)' })
        .option('max-tokens', { type: 'number', default: 1024, describe: 'the largest max_tokens a request may ask for' })
        .option('max-batch', { type: 'number', default: 8, describe: 'choices generated together in one batch' })
        .option('max-queue', { type: 'number', default: 64, describe: 'requests waiting at most (more get 429)' })
        .option('log', { type: 'boolean', default: false, describe: 'log every request to stderr' })
        .option('plugin', { type: 'string', array: true, describe: 'extra plugin (path or package), repeatable' })
        .check((argv) => {
          for (const key of ['port', 'max-tokens', 'max-batch', 'max-queue'] as const) {
            const v = argv[key];
            if (!Number.isInteger(v) || v < (key === 'port' ? 0 : 1) || (key === 'port' && v > 65535)) throw new AttuneError(`--${key} must be ${key === 'port' ? 'an integer from 0 to 65535' : 'a positive integer'}, got ${v}`);
          }
          return true;
        }),
    async (argv) => {
      const adapters = adapterSpecs(argv.adapter ?? []);
      const [{ ServedModels }, { ServedPolicies }, { buildServer }, { bootKernel }, { loadDecodingPolicy }] = await Promise.all([
        import('../../serve/served-models.js'),
        import('../../serve/served-policies.js'),
        import('../../serve/server.js'),
        import('../boot.js'),
        import('./decoding-policy-option.js'),
      ]);
      const kernel = await bootKernel({ plugins: argv.plugin ?? [] });
      const loaded = argv.policy !== undefined ? await loadDecodingPolicy(argv.policy, argv.plugin ?? []) : undefined;
      const names = kernel.registries.items.decoding.list().map((e) => e.ref);
      const env = { baseDir: process.cwd(), warn: (m: string) => process.stderr.write(`warning: ${m}\n`) };
      const policies = new ServedPolicies(loaded ? { key: loaded.ref.use, instance: loaded.policy } : null, names, (use) => kernel.create({ kind: 'decoding', use, options: {} }, env));
      const models = await ServedModels.open(argv.model, { ...(argv['served-model-name'] ? { name: argv['served-model-name'] } : {}), adapters, quantization: await quantizationFromFlag(argv) });
      const { app } = buildServer({ models, policies, limits: { maxTokens: argv['max-tokens'], batch: argv['max-batch'], queue: argv['max-queue'] }, log: argv.log });
      if (!['127.0.0.1', 'localhost', '::1'].includes(argv.host)) process.stderr.write(`warning: listening on ${argv.host}, not loopback: anyone who can reach it can use the model (there is no authentication)\n`);
      let address: string;
      try {
        address = await app.listen({ host: argv.host, port: argv.port });
      } catch (error) {
        await models.release();
        throw new AttuneError(`cannot listen on ${argv.host}:${argv.port}: ${(error as Error).message}`, 'pick another --port (0 takes any free one)');
      }
      process.stderr.write(`Serving ${models.ids().join(', ')} at ${address} (OpenAI API under ${address}/v1, chat page at ${address}/). Ctrl-C stops.\n`);
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = () => {
          if (stopping) process.exit(130);
          stopping = true;
          process.stderr.write('stopping: finishing the requests in flight (Ctrl-C again to exit now)\n');
          void app
            .close()
            .then(() => policies.dispose())
            .then(() => models.release())
            .then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    },
  );
}
