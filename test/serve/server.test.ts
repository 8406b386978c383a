/**
 * attune serve's HTTP API on loopback with the embedded model: the official `openai` client
 * unchanged (models, completions, streaming, n, seeds), every limit answered 4xx in OpenAI's
 * shape, vLLM's adapter load/unload, per-request policies with the intervention, batching of
 * concurrent requests, and draining on close.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { Kernel } from '../../core/kernel/kernel.js';
import { builtinPlugins } from '../../plugins/index.js';
import { ServedModels } from '../../core/serve/served-models.js';
import { ServedPolicies } from '../../core/serve/served-policies.js';
import { buildServer } from '../../core/serve/server.js';
import type { AttuneServer } from '../../core/serve/server.js';
import { initLora, loraConfig, saveLoraAdapter } from '../../core/model/lora/index.js';
import { InferenceModel, ModelTextGenerator } from '../../core/model/generation/index.js';
import { Xoshiro128 } from '../../core/base/rng.js';
import { runCli } from '../../core/cli/main.js';

const BASE = 'attune-tiny-qwen2';
let dir: string;
let adapterDir: string;
let server: AttuneServer;
let models: ServedModels;
let url: string;
let client: OpenAI;

async function post(path: string, body: unknown, raw = false): Promise<{ status: number; json: { error?: { message: string; type: string; param: string | null; code: string | null } } & Record<string, unknown> }> {
  const r = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ? (body as string) : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, json: text.startsWith('{') ? JSON.parse(text) : { text } };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'attune-serve-'));
  const folder = (await InferenceModel.open(BASE)).folder;
  const state = initLora(loraConfig({ r: 2, alpha: 4, targetModules: ['q', 'v'] }), folder.config, 1);
  const rng = Xoshiro128.fromSeed(5);
  for (const p of state.parameters) if (p.name.endsWith('lora_B.weight')) for (let i = 0; i < p.data.length; i++) p.data[i] = (rng.nextFloat() - 0.5) * 2;
  adapterDir = join(dir, 'adapter');
  await saveLoraAdapter(adapterDir, state, { baseModel: BASE });
  const kernel = await new Kernel().load({ builtins: builtinPlugins });
  const env = { baseDir: process.cwd(), warn: () => {} };
  const policies = new ServedPolicies(null, kernel.registries.items.decoding.list().map((e) => e.ref), (use) => kernel.create({ kind: 'decoding', use, options: {} }, env));
  models = await ServedModels.open(BASE);
  server = buildServer({ models, policies, limits: { maxTokens: 64, messages: 8, messageChars: 2000, bodyBytes: 64 * 1024, n: 3, batch: 8, queue: 16 } });
  url = await server.app.listen({ host: '127.0.0.1', port: 0 });
  client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'not-needed', maxRetries: 0 });
});

after(async () => {
  await server.app.close();
  await models.release();
  rmSync(dir, { recursive: true, force: true });
});

describe('attune serve', () => {
  test('the openai client works unchanged: models, a completion, n choices, seeds, streaming equal to the whole reply', async () => {
    const list = await client.models.list();
    assert.deepEqual(list.data.map((m) => m.id), [BASE]);
    const ask = { model: BASE, messages: [{ role: 'user' as const, content: 'I feel lonely lately.' }], max_tokens: 12, seed: 7 };
    const a = await client.chat.completions.create({ ...ask, n: 2 });
    const b = await client.chat.completions.create({ ...ask, n: 2 });
    assert.equal(a.object, 'chat.completion');
    assert.equal(a.choices.length, 2);
    assert.deepEqual(a.choices.map((c) => c.message.content), b.choices.map((c) => c.message.content), 'same seed, same choices');
    assert.ok(a.usage!.prompt_tokens > 0 && a.usage!.total_tokens === a.usage!.prompt_tokens + a.usage!.completion_tokens);
    assert.ok(a.choices.every((c) => c.finish_reason === 'stop' || c.finish_reason === 'length'));

    const greedy = { model: BASE, messages: [{ role: 'user' as const, content: 'hello there' }], max_tokens: 10, temperature: 0 };
    const whole = await client.chat.completions.create(greedy);
    const stream = await client.chat.completions.create({ ...greedy, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let finish: string | null = null;
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage ??= chunk.usage ?? undefined;
    }
    assert.equal(text, whole.choices[0]!.message.content);
    assert.equal(finish, whole.choices[0]!.finish_reason);
    assert.deepEqual(usage, whole.usage);
    // The reply is the embedded model's own greedy answer.
    const model = await InferenceModel.open(BASE);
    const [own] = await new ModelTextGenerator(model).generate([[{ role: 'user', content: 'hello there' }]], { params: { maxNewTokens: 10, temperature: 0 } });
    await model.release();
    assert.equal(whole.choices[0]!.message.content, own!.text);
  });

  test('vLLM\'s return_token_ids and OpenAI\'s logprobs: the prompt and new token ids (the end token included) with their log-probs; refused under a policy', async () => {
    const r = await post('/v1/chat/completions', { model: BASE, messages: [{ role: 'user', content: 'hello' }], max_tokens: 8, temperature: 0.8, seed: 3, return_token_ids: true, logprobs: true });
    assert.equal(r.status, 200);
    const choice = (r.json.choices as { message: { content: string }; token_ids: number[]; logprobs: { content: { token: string; logprob: number }[] }; finish_reason: string }[])[0]!;
    const model = await InferenceModel.open(BASE);
    try {
      const generator = new ModelTextGenerator(model);
      const prompt = generator.encodeConversation([{ role: 'user', content: 'hello' }]);
      assert.deepEqual(r.json.prompt_token_ids, prompt);
      const [own] = await generator.generateFromIds([prompt], { params: { maxNewTokens: 8, temperature: 0.8 }, perRow: [{ seed: 3 }] });
      assert.deepEqual(choice.token_ids, own!.endToken === undefined ? own!.tokens : [...own!.tokens, own!.endToken]);
      assert.deepEqual(choice.logprobs.content.map((c) => c.logprob), own!.endToken === undefined ? own!.logProbs : [...own!.logProbs, own!.endLogProb]);
      assert.equal(choice.logprobs.content.map((c) => c.token).join(''), model.folder.tokenizer.decode(choice.token_ids));
    } finally {
      await model.release();
    }
    const refused = await post('/v1/chat/completions', { model: BASE, messages: [{ role: 'user', content: 'hello' }], logprobs: true, policy: 'decoding/sampling' });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.error!.param, 'logprobs');
  });

  test('every limit and bad request is a 4xx in OpenAI\'s shape, and the server stays healthy', async () => {
    const user = [{ role: 'user', content: 'hi' }];
    const cases: [string, unknown, number, RegExp, string | null][] = [
      ['no messages', { model: BASE, messages: [] }, 400, /messages must NOT have fewer than 1 items/, 'messages'],
      ['too many messages', { model: BASE, messages: Array.from({ length: 9 }, () => user[0]) }, 400, /must NOT have more than 8 items/, 'messages'],
      ['a message too long', { model: BASE, messages: [{ role: 'user', content: 'x'.repeat(2001) }] }, 400, /invalid request/, 'messages.0.content'],
      ['max_tokens over the limit', { model: BASE, messages: user, max_tokens: 65 }, 400, /max_tokens must be <= 64/, 'max_tokens'],
      ['n over the limit', { model: BASE, messages: user, n: 4 }, 400, /n must be <= 3/, 'n'],
      ['a bad role', { model: BASE, messages: [{ role: 'robot', content: 'x' }] }, 400, /role must be equal to one of the allowed values/, 'messages.0.role'],
      ['temperature out of range', { model: BASE, messages: user, temperature: 3 }, 400, /temperature must be <= 2/, 'temperature'],
      ['an unknown model', { model: 'gpt-4', messages: user }, 404, /The model 'gpt-4' does not exist \(this server has: attune-tiny-qwen2\)/, 'model'],
      ['an assistant turn last', { model: BASE, messages: [...user, { role: 'assistant', content: 'hello' }] }, 400, /the last message is from assistant/, 'messages'],
      ['an unknown policy', { model: BASE, messages: user, policy: 'decoding/nope' }, 400, /unknown decoding policy 'decoding\/nope'/, 'policy'],
    ];
    for (const [what, body, status, message, param] of cases) {
      const r = await post('/v1/chat/completions', body);
      assert.equal(r.status, status, what);
      assert.match(r.json.error!.message, message, what);
      assert.equal(r.json.error!.param, param, what);
      assert.equal(typeof r.json.error!.type, 'string');
    }
    const malformed = await post('/v1/chat/completions', '{"model": ', true);
    assert.equal(malformed.status, 400);
    assert.match(malformed.json.error!.message, /not valid JSON/);
    const huge = await post('/v1/chat/completions', { model: BASE, messages: user, pad: 'x'.repeat(70 * 1024) });
    assert.equal(huge.status, 413);
    assert.match(huge.json.error!.message, /larger than 65536 bytes/);
    const long = await post('/v1/chat/completions', { model: BASE, messages: Array.from({ length: 8 }, () => ({ role: 'user', content: 'word '.repeat(390) })), max_tokens: 64 });
    assert.equal(long.status, 400);
    assert.equal(long.json.error!.code, 'context_length_exceeded');
    const nowhere = await fetch(`${url}/v1/completions/nope`);
    assert.equal(nowhere.status, 404);
    // 200 malformed requests, then a healthy server.
    const bad = await Promise.all(Array.from({ length: 200 }, (_, i) => post('/v1/chat/completions', i % 2 ? '{' : { model: BASE, messages: 'x' }, i % 2 === 1)));
    assert.ok(bad.every((r) => r.status === 400));
    const health = await fetch(`${url}/health`);
    assert.equal(health.status, 200);
  });

  test("vLLM's adapter API: load makes a model id that answers with the adapter; a taken name or bad folder is 400; unload makes it 404", async () => {
    const load = await post('/v1/load_lora_adapter', { lora_name: 'warm', lora_path: adapterDir });
    assert.equal(load.status, 200);
    assert.match(String(load.json.text), /Success: LoRA adapter 'warm' added/);
    const list = await client.models.list();
    assert.deepEqual(list.data.map((m) => [m.id, (m as unknown as { parent: string | null }).parent]), [[BASE, null], ['warm', BASE]]);
    const messages = [{ role: 'user' as const, content: 'I feel lost.' }];
    const viaServer = await client.chat.completions.create({ model: 'warm', messages, max_tokens: 8, temperature: 0 });
    const model = await InferenceModel.open(BASE, { adapter: adapterDir });
    const [own] = await new ModelTextGenerator(model).generate([messages], { params: { maxNewTokens: 8, temperature: 0 } });
    const [plain] = await new ModelTextGenerator(model, { useAdapter: false }).generate([messages], { params: { maxNewTokens: 8, temperature: 0 } });
    await model.release();
    assert.equal(viaServer.choices[0]!.message.content, own!.text);
    assert.notEqual(own!.text, plain!.text, 'the adapter changes the reply');
    const base = await client.chat.completions.create({ model: BASE, messages, max_tokens: 8, temperature: 0 });
    assert.equal(base.choices[0]!.message.content, plain!.text, 'the base id still answers without the adapter');

    assert.equal((await post('/v1/load_lora_adapter', { lora_name: 'warm', lora_path: adapterDir })).status, 400);
    const missing = await post('/v1/load_lora_adapter', { lora_name: 'other', lora_path: join(dir, 'nope') });
    assert.equal(missing.status, 400);
    assert.equal(missing.json.error!.param, 'lora_path');
    assert.equal((await post('/v1/unload_lora_adapter', { lora_name: 'warm' })).status, 200);
    assert.equal((await post('/v1/unload_lora_adapter', { lora_name: 'warm' })).status, 404);
    assert.equal((await post('/v1/chat/completions', { model: 'warm', messages })).status, 404);
  });

  test('a per-request policy: the safety controller intervenes on a crisis turn (in the body and the stream), not on an ordinary one', async () => {
    const crisis = await post('/v1/chat/completions', { model: BASE, messages: [{ role: 'user', content: 'Everyone would be better off without me.' }], policy: 'decoding/safety-controller', max_tokens: 40 });
    assert.equal(crisis.status, 200);
    const choice = (crisis.json.choices as { message: { content: string }; intervention?: { kind: string; reason: string } }[])[0]!;
    assert.match(choice.intervention!.kind, /^crisis-/);
    assert.match(choice.intervention!.reason, /better off without me/);
    assert.match(choice.message.content, /findahelpline\.com/);
    const ordinary = await post('/v1/chat/completions', { model: BASE, messages: [{ role: 'user', content: 'This exam is killing me.' }], policy: 'decoding/safety-controller', max_tokens: 8 });
    assert.equal((ordinary.json.choices as { intervention?: unknown }[])[0]!.intervention, undefined);
    const r = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: BASE, messages: [{ role: 'user', content: 'I want to kill myself' }], policy: 'decoding/safety-controller', stream: true, max_tokens: 40 }) });
    const events = (await r.text()).split('\n\n').filter(Boolean);
    assert.equal(events.at(-1), 'data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)) as { choices: { delta: { content?: string }; intervention?: { kind: string } }[] });
    assert.match(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), /findahelpline\.com/);
    assert.match(chunks.at(-1)!.choices[0]!.intervention!.kind, /^crisis-/);
  });

  test('concurrent requests share generation batches; close lets the request in flight finish and refuses new ones', async () => {
    const before = server.batcher.stats.maxRowsInBatch;
    assert.ok(before <= 3);
    const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => client.chat.completions.create({ model: BASE, messages: [{ role: 'user', content: `message ${i}` }], max_tokens: 6, seed: i })));
    assert.ok(replies.every((r) => r.choices.length === 1));
    assert.ok(server.batcher.stats.maxRowsInBatch > 1, `rows per batch: ${server.batcher.stats.maxRowsInBatch}`);

    // Its own server: a request in flight when close() is called still gets its reply; new ones are refused.
    const kernel = await new Kernel().load({ builtins: builtinPlugins });
    const own = await ServedModels.open(BASE);
    const other = buildServer({ models: own, policies: new ServedPolicies(null, [], (use) => kernel.create({ kind: 'decoding', use, options: {} }, { baseDir: '.', warn: () => {} })) });
    const address = await other.app.listen({ host: '127.0.0.1', port: 0 });
    const inFlight = fetch(`${address}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: BASE, messages: [{ role: 'user', content: 'hi' }], max_tokens: 48, temperature: 0 }) });
    while (other.batcher.stats.batches === 0) await new Promise((r) => setTimeout(r, 5));
    const closed = other.app.close();
    const answered = await inFlight;
    assert.equal(answered.status, 200);
    assert.equal(((await answered.json()) as { object: string }).object, 'chat.completion');
    await closed;
    await assert.rejects(fetch(`${address}/health`));
    await own.release();
  });

  test('attune serve refuses a bad --adapter or --port before loading anything', async () => {
    for (const [args, message] of [
      [['serve', '--adapter', 'just-a-path'], /--adapter just-a-path: expected name=<folder>/],
      [['serve', '--port', '70000'], /--port must be an integer from 0 to 65535, got 70000/],
    ] as const) {
      let stderr = '';
      const code = await runCli([...args], { stdout: { write: () => true }, stderr: { write: (t) => (stderr += t) } });
      assert.equal(code, 1);
      assert.match(stderr, message);
    }
  });
});
