/**
 * POST /v1/chat/completions, OpenAI-compatible: the request is checked (model, conversation,
 * prompt length), queued for the batcher, and answered as one JSON body or as server-sent events
 * (`stream: true`). Plain generation streams tokens as they come; a decoding policy's reply is
 * streamed once it is final, because a policy may revise what the model wrote (the safety
 * controller's repair) and a half-shown reply cannot be taken back. Extensions: `policy` in the
 * request; `intervention` on a choice when the policy intervened.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Message } from '../data/example.js';
import type { GenerationParams } from '../kernel/extension-points/decoding-policy.js';
import type { Batcher, ChoiceResult } from './batcher.js';
import type { ChatCompletionBody, ServeLimits } from './chat-schema.js';
import { HttpError } from './openai-errors.js';
import type { ServedModels } from './served-models.js';
import type { ServedPolicies } from './served-policies.js';

const DEFAULT_MAX_TOKENS = 256;

function messagesOf(body: ChatCompletionBody): Message[] {
  const messages: Message[] = body.messages.map((m) => ({
    role: m.role === 'developer' ? 'system' : m.role,
    content: typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join(''),
  }));
  const last = messages.at(-1)!;
  if (last.role !== 'user') throw new HttpError(400, `the last message is from ${last.role}; the server answers a user turn`, 'messages');
  if (last.content.trim() === '') throw new HttpError(400, 'the last user message is empty', 'messages');
  return messages;
}

/** The settings the request gave (a policy keeps its own for the rest); plain generation fills in the defaults. */
function paramsOf(body: ChatCompletionBody, limits: ServeLimits, plain: boolean): GenerationParams {
  const maxNewTokens = body.max_completion_tokens ?? body.max_tokens ?? (plain ? DEFAULT_MAX_TOKENS : limits.maxTokens);
  const params: GenerationParams = { maxNewTokens };
  if (body.temperature != null) params.temperature = body.temperature;
  if (body.top_p != null) params.topP = body.top_p;
  if (body.stop != null) params.stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (body.seed != null) params.seed = body.seed;
  if (body.top_k != null) params.topK = Math.max(0, body.top_k);
  if (body.repetition_penalty != null) params.repetitionPenalty = body.repetition_penalty;
  return params;
}

export interface ChatRouteContext {
  readonly models: ServedModels;
  readonly policies: ServedPolicies;
  readonly batcher: Batcher;
  readonly limits: ServeLimits;
}

export async function chatCompletion(ctx: ChatRouteContext, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const body = request.body as ChatCompletionBody;
  if (!ctx.models.has(body.model)) throw new HttpError(404, `The model '${body.model}' does not exist (this server has: ${ctx.models.ids().join(', ')})`, 'model', 'model_not_found');
  const messages = messagesOf(body);
  const policy = await ctx.policies.resolve(body.policy);
  const params = paramsOf(body, ctx.limits, policy === null);
  if (policy !== null && (body.logprobs || body.return_token_ids)) {
    throw new HttpError(400, `logprobs and return_token_ids describe the model's own tokens: ask with "policy": "none" (this request's policy, ${policy.key}, may change the reply)`, body.logprobs ? 'logprobs' : 'return_token_ids');
  }
  const tokenizer = ctx.models.model.folder.tokenizer;
  const extras = (r: ChoiceResult): Record<string, unknown> => ({
    ...(body.logprobs && r.tokenIds ? { logprobs: { content: r.tokenIds.map((id, k) => ({ token: tokenizer.decode([id], { skipSpecialTokens: false }), logprob: r.logProbs![k]!, bytes: null, top_logprobs: [] })) } } : {}),
    ...(body.return_token_ids && r.tokenIds ? { token_ids: r.tokenIds } : {}),
  });
  const n = body.n ?? 1;
  // Tokenized once: the context check here, the generation batch later.
  const promptIds = ctx.models.model.folder.tokenizer.encodeChat(messages, { addGenerationPrompt: true });
  const window = ctx.models.model.config.maxPositionEmbeddings;
  if (promptIds.length + params.maxNewTokens > window) {
    throw new HttpError(400, `the conversation is ${promptIds.length} tokens and max_tokens is ${params.maxNewTokens}: together more than the model's context of ${window} tokens`, 'messages', 'context_length_exceeded');
  }
  // Each choice its own seed, counting up from the request's. Plain generation draws one when none
  // is given; a policy without one leaves it out, so requests with the same settings share a batch.
  const seed = params.seed ?? (policy === null ? randomInt(0, 2 ** 31) : undefined);
  const id = `chatcmpl-${randomBytes(12).toString('hex')}`;
  const created = Math.floor(Date.now() / 1000);
  const jobParams = (choice: number): GenerationParams => (seed === undefined ? params : { ...params, seed: seed + choice });
  // One job per choice: the batcher joins them (and other requests') into one generation batch.
  const runChoices = (onText?: (choice: number, text: string) => void): Promise<ChoiceResult[]> =>
    Promise.all(
      Array.from({ length: n }, (_, choice) =>
        ctx.batcher.submit({ model: body.model, policy, params: jobParams(choice), conversation: messages, promptIds, ...(onText ? { onText: (text: string) => onText(choice, text) } : {}) }),
      ),
    );

  if (!body.stream) {
    const results = await runChoices();
    const usage = usageOf(results);
    return {
      id,
      object: 'chat.completion',
      created,
      model: body.model,
      choices: results.map((r, index) => ({ index, message: { role: 'assistant', content: r.text }, logprobs: null, finish_reason: r.finishReason, ...extras(r), ...(r.intervention ? { intervention: r.intervention } : {}) })),
      usage,
      ...(body.return_token_ids ? { prompt_token_ids: promptIds } : {}),
    };
  }

  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  let closed = false;
  raw.on('close', () => (closed = true));
  const send = (data: unknown) => {
    if (!closed) raw.write(`data: ${JSON.stringify(data)}\n\n`);
  };
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => send({ id, object: 'chat.completion.chunk', created, model: body.model, choices, ...extra });
  for (let index = 0; index < n; index++) chunk([{ index, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
  try {
    const onText = policy === null ? (choice: number, text: string) => chunk([{ index: choice, delta: { content: text }, logprobs: null, finish_reason: null }]) : undefined;
    const results = await runChoices(onText);
    results.forEach((r, index) => {
      if (policy !== null) for (const piece of r.text.match(/\S+\s*|\s+/g) ?? []) chunk([{ index, delta: { content: piece }, logprobs: null, finish_reason: null }]);
      chunk([{ index, delta: {}, logprobs: null, finish_reason: r.finishReason, ...extras(r), ...(r.intervention ? { intervention: r.intervention } : {}) }]);
    });
    if (body.stream_options?.include_usage) chunk([], { usage: usageOf(results) });
  } catch (error) {
    // Headers are out: the error goes in the stream, in OpenAI's shape.
    send({ error: { message: error instanceof Error ? error.message : String(error), type: 'server_error', param: null, code: null } });
  }
  if (!closed) raw.end('data: [DONE]\n\n');
  return reply;
}

function usageOf(results: readonly ChoiceResult[]): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  const prompt = results[0]?.promptTokens ?? 0;
  const completion = results.reduce((s, r) => s + r.completionTokens, 0);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}
