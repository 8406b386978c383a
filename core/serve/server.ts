/**
 * The HTTP server of `attune serve`, on Fastify: OpenAI's chat completions and model list,
 * vLLM's adapter load/unload, /health, and the web chat page at /. Request bodies are validated
 * against JSON schemas; every error is answered in OpenAI's shape, never with a stack.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import type { FastifyError, FastifyInstance } from 'fastify';
import { fromPackageRoot } from '../base/paths.js';
import { AttuneError } from '../base/errors.js';
import { Batcher, QueueFullError } from './batcher.js';
import { chatCompletion } from './chat-completions.js';
import { chatCompletionSchema, DEFAULT_LIMITS, loadAdapterSchema, unloadAdapterSchema } from './chat-schema.js';
import type { ServeLimits } from './chat-schema.js';
import { errorBody, HttpError } from './openai-errors.js';
import type { ServedModels } from './served-models.js';
import type { ServedPolicies } from './served-policies.js';

export interface ServerOptions {
  readonly models: ServedModels;
  readonly policies: ServedPolicies;
  readonly limits?: Partial<ServeLimits>;
  /** Log each request (Fastify's logger) to stderr. */
  readonly log?: boolean;
}

export interface AttuneServer {
  readonly app: FastifyInstance;
  readonly batcher: Batcher;
  readonly limits: ServeLimits;
}

export function buildServer(options: ServerOptions): AttuneServer {
  const limits: ServeLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const { models, policies } = options;
  const batcher = new Batcher(models, { maxBatch: limits.batch, maxQueue: limits.queue });
  const app = Fastify({ bodyLimit: limits.bodyBytes, logger: options.log ?? false, return503OnClosing: true, forceCloseConnections: false });
  const page = readFileSync(fromPackageRoot('core', 'serve', 'web', 'index.html'), 'utf8');

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error instanceof HttpError) return reply.code(error.statusCode).send(errorBody(error.statusCode, error.message, error.param, error.code));
    if (error instanceof QueueFullError) return reply.code(429).send(errorBody(429, `${error.message}; retry later`, null, 'queue_full'));
    if (error.validation) {
      const first = error.validation[0];
      const param = first?.instancePath ? first.instancePath.replace(/^\//, '').replaceAll('/', '.') : null;
      return reply.code(400).send(errorBody(400, `invalid request: ${error.message}`, param, 'invalid_value'));
    }
    const status = error.statusCode ?? 500;
    if (status === 413) return reply.code(413).send(errorBody(413, `the request body is larger than ${limits.bodyBytes} bytes`, null, 'request_too_large'));
    if (status >= 400 && status < 500) return reply.code(status).send(errorBody(status, error.message, null, error.code ?? null));
    if (error instanceof AttuneError) return reply.code(400).send(errorBody(400, error.message));
    // A bug: logged in full here, answered without internals.
    process.stderr.write(`attune serve: internal error: ${error.stack ?? error.message}\n`);
    return reply.code(500).send(errorBody(500, 'internal server error (see the server log)'));
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody(404, `no route ${request.method} ${request.url}`, null, 'not_found')));

  app.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
  app.get('/health', () => ({ status: 'ok', models: models.ids(), waiting: batcher.waiting, batches: batcher.stats }));
  app.get('/v1/models', () => ({
    object: 'list',
    data: models.ids().map((id) => {
      const adapter = models.adapter(id);
      return { id, object: 'model', created: adapter?.loadedAt ?? models.createdAt, owned_by: 'attune', root: adapter?.path ?? models.model.folder.dir, parent: adapter ? models.baseId : null };
    }),
  }));
  app.get('/attune/policies', () => ({ default: policies.defaultPolicy?.key ?? 'none', policies: ['none', ...policies.names] }));

  app.post('/v1/chat/completions', { schema: { body: chatCompletionSchema(limits) } }, (request, reply) => chatCompletion({ models, policies, batcher, limits }, request, reply));

  app.post('/v1/load_lora_adapter', { schema: { body: loadAdapterSchema } }, async (request, reply) => {
    const { lora_name: name, lora_path: path } = request.body as { lora_name: string; lora_path: string };
    if (models.has(name)) throw new HttpError(400, `The lora adapter '${name}' has already been loaded`, 'lora_name');
    try {
      await models.load(name, path);
    } catch (error) {
      if (error instanceof AttuneError || (error as NodeJS.ErrnoException).code === 'ENOENT') throw new HttpError(400, `cannot load the adapter '${name}' from ${path}: ${(error as Error).message}`, 'lora_path');
      throw error;
    }
    return reply.type('text/plain; charset=utf-8').send(`Success: LoRA adapter '${name}' added successfully.`);
  });
  app.post('/v1/unload_lora_adapter', { schema: { body: unloadAdapterSchema } }, async (request, reply) => {
    const { lora_name: name } = request.body as { lora_name: string };
    if (name === models.baseId) throw new HttpError(400, `'${name}' is the base model; only adapters can be unloaded`, 'lora_name');
    // A batch already running keeps the factors it swapped in; queued requests for it get a 400.
    if (!models.unload(name)) throw new HttpError(404, `The lora adapter '${name}' cannot be found`, 'lora_name', 'model_not_found');
    return reply.type('text/plain; charset=utf-8').send(`Success: LoRA adapter '${name}' removed successfully.`);
  });
  return { app, batcher, limits };
}
