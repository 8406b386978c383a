/**
 * Rich generation results: log-probabilities of the sampled tokens against the float64 reference
 * decoder (greedy and after temperature / top-k / top-p), per-row settings in one batch, abort,
 * and finish reasons, through generateTokens and the kernel's TextGenerator contract.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { tinyLlamaConfig, writeRandomFolder, openDecoderModel, readReferenceTensors } from './reference/random-folder.js';
import { referenceForward } from './reference/reference-decoder.js';
import type { ReferenceTensors } from './reference/reference-decoder.js';
import type { DecoderConfig } from '../../core/model/folder/config.js';
import { InferenceModel, ModelTextGenerator, generateTokens } from '../../core/model/generation/index.js';
import type { SamplingSettings } from '../../core/model/generation/index.js';
import type { Message } from '../../core/data/example.js';

const LLAMA = tinyLlamaConfig({ hidden_size: 32, intermediate_size: 48, num_attention_heads: 4, num_key_value_heads: 2, rope_theta: 500 });

/**
 * log p of every token after HF's processors, computed here from float64 logits and independently
 * of core/: repetition penalty, then (sampling) temperature, top-k with ties, top-p over the
 * ascending cumulative mass (drop while ≤ 1 − top_p, keep at least one), renormalized.
 * −Infinity marks a token that cannot be drawn.
 */
function processedLogProbs(raw: Float64Array, seen: ReadonlySet<number>, s: SamplingSettings): Float64Array {
  const z = Float64Array.from(raw);
  for (const id of seen) z[id] = z[id]! < 0 ? z[id]! * s.repetitionPenalty : z[id]! / s.repetitionPenalty;
  if (s.doSample) {
    for (let i = 0; i < z.length; i++) z[i] = z[i]! / s.temperature;
    if (s.topK > 0 && s.topK < z.length) {
      const kth = [...z].sort((a, b) => b - a)[s.topK - 1]!;
      for (let i = 0; i < z.length; i++) if (z[i]! < kth) z[i] = -Infinity;
    }
    if (s.topP < 1) {
      const probs = softmax(z);
      const ascending = [...z.keys()].filter((i) => z[i]! > -Infinity).sort((a, b) => probs[a]! - probs[b]!);
      let cum = 0;
      for (let j = 0; j < ascending.length - 1; j++) {
        cum += probs[ascending[j]!]!;
        if (cum > 1 - s.topP) break;
        z[ascending[j]!] = -Infinity;
      }
    }
  }
  const m = Math.max(...z);
  let sum = 0;
  for (const v of z) sum += Math.exp(v - m);
  return z.map((v) => v - m - Math.log(sum));
}

function softmax(z: Float64Array): Float64Array {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

describe('generation results on a random llama folder', () => {
  let dir: string;
  let tensors: ReferenceTensors;
  let config: DecoderConfig;
  let model: InferenceModel;
  const prompts = [[5, 6, 7, 8, 9, 10], [11, 12], [300, 301, 302, 303]];

  before(async () => {
    dir = await writeRandomFolder(LLAMA, { seed: 7 });
    const opened = await openDecoderModel(dir);
    config = opened.config;
    tensors = await readReferenceTensors(opened);
    model = await InferenceModel.open(dir);
  });
  after(async () => {
    await model.release();
    await rm(dir, { recursive: true, force: true });
  });

  /** Every row's logProbs equal the reference's processed log p of its tokens, step by step. */
  const checkAgainstReference = (rows: { tokens: number[]; logProbs: number[] }[], settings: SamplingSettings): void => {
    const V = config.vocabSize;
    rows.forEach((row, b) => {
      const prompt = prompts[b]!;
      assert.equal(row.logProbs.length, row.tokens.length);
      assert.ok(row.tokens.length > 0);
      const ids = [...prompt, ...row.tokens];
      const logits = referenceForward(config, tensors, [ids], [ids.map(() => 1)]).logits[0]!;
      row.tokens.forEach((token, s) => {
        const at = prompt.length - 1 + s;
        const expected = processedLogProbs(logits.subarray(at * V, (at + 1) * V), new Set(ids.slice(0, at + 1)), settings);
        assert.ok(expected[token]! > -Infinity, `row ${b} step ${s}: token ${token} cannot be drawn under the processed distribution`);
        const d = Math.abs(row.logProbs[s]! - expected[token]!);
        assert.ok(d < 1e-4, `row ${b} step ${s}: logProb ${row.logProbs[s]} vs reference ${expected[token]} (|Δ| ${d})`);
      });
    });
  };

  test('greedy logProbs are the log-softmax of the reference logits (after the repetition penalty) at each step', async () => {
    const rows = await generateTokens(model, prompts, { maxNewTokens: 6, eosTokenIds: [] });
    assert.deepEqual(rows.map((r) => r.promptTokens), prompts.map((p) => p.length));
    checkAgainstReference(rows, { doSample: false, temperature: 1, topK: 0, topP: 1, repetitionPenalty: 1 });
    const penalty = { doSample: false, temperature: 1, topK: 0, topP: 1, repetitionPenalty: 1.5 };
    checkAgainstReference(await generateTokens(model, prompts, { maxNewTokens: 6, eosTokenIds: [], sampling: penalty }), penalty);
  });

  test('sampled logProbs are the log of the distribution drawn from (penalty, temperature, top-k, top-p)', async () => {
    for (const settings of [
      { doSample: true, temperature: 0.7, topK: 40, topP: 0.9, repetitionPenalty: 1.2 },
      { doSample: true, temperature: 1.4, topK: 0, topP: 0.5, repetitionPenalty: 1 },
      { doSample: true, temperature: 0.5, topK: 5, topP: 1, repetitionPenalty: 1 },
    ]) {
      const rows = await generateTokens(model, prompts, { maxNewTokens: 6, eosTokenIds: [], sampling: settings, seed: 3 });
      checkAgainstReference(rows, settings);
    }
  });

  test('scoreTemperature records log softmax(raw logits / T) of each sampled token, whatever shaped the draw', async () => {
    const T = 0.8;
    const policy = { doSample: true, temperature: T, topK: 0, topP: 1, repetitionPenalty: 1 };
    for (const settings of [policy, { doSample: true, temperature: 0.6, topK: 5, topP: 0.9, repetitionPenalty: 1.3 }]) {
      const rows = await generateTokens(model, prompts, { maxNewTokens: 5, eosTokenIds: [], sampling: settings, seed: 11, scoreTemperature: T });
      // The scored log-probs are the policy's: no penalty, no filtering, temperature T.
      checkAgainstReference(rows.map((r) => ({ tokens: r.tokens, logProbs: r.scoredLogProbs! })), policy);
    }
  });

  test('rows of one batch keep their own settings: a greedy row equals a greedy-only call, a seeded row its solo run', async () => {
    const generator = new ModelTextGenerator(model);
    const a: Message[] = [{ role: 'user', content: 'I feel alone tonight.' }];
    const b: Message[] = [{ role: 'user', content: 'Can we talk?' }];
    const [greedy] = await generator.generate([a], { params: { maxNewTokens: 6, temperature: 0 } });
    const shared = { maxNewTokens: 6, temperature: 1.5, seed: 9 };
    const [sampledA] = await generator.generate([a, b], { params: shared });
    assert.notDeepEqual(sampledA!.tokenIds, greedy!.tokenIds, 'the shared settings alone must give another reply');
    const [rowA, rowB] = await generator.generate([a, b], { params: shared, perRow: [{ temperature: 0 }, { seed: 4, maxNewTokens: 4 }] });
    assert.deepEqual(rowA!.tokenIds, greedy!.tokenIds);
    assert.equal(rowA!.text, greedy!.text);
    rowA!.logProbs.forEach((lp, i) => assert.ok(Math.abs(lp - greedy!.logProbs[i]!) < 1e-5));
    assert.equal(rowB!.tokenIds.length, 4);
    assert.equal(rowB!.finishReason, 'length');
    // A row's own seed keys its stream: alone, or first in a batch, it draws the same tokens.
    const [solo] = await generator.generate([b], { params: { ...shared, maxNewTokens: 4 }, perRow: [{ seed: 4 }] });
    assert.deepEqual(rowB!.tokenIds, solo!.tokenIds);
    const [other] = await generator.generate([b], { params: { ...shared, maxNewTokens: 4 }, perRow: [{ seed: 5 }] });
    assert.notDeepEqual(other!.tokenIds, solo!.tokenIds);
    await assert.rejects(generator.generate([a], { params: shared, perRow: [undefined, {}] }), /2 per-row settings for 1 conversations/);
    await assert.rejects(generator.generate([a, b], { params: shared, perRow: [undefined, { topP: 2 }] }), /top_p must be in \(0, 1\]/);
  });

  test('an abort from the text callback stops every row at the next step with reason length, and later batches do not run', async () => {
    const request = { params: { maxNewTokens: 20, temperature: 0 } };
    const conversations: Message[][] = [[{ role: 'user', content: 'Hello there.' }], [{ role: 'user', content: 'Tell me more.' }], [{ role: 'user', content: 'Why?' }]];
    const full = await new ModelTextGenerator(model, { batchSize: 2 }).generate(conversations, request);
    assert.deepEqual(full.map((r) => [r.tokenIds.length, r.finishReason]), full.map(() => [20, 'length']));
    for (const batchSize of [8, 2]) {
      const controller = new AbortController();
      const streamed = conversations.map(() => '');
      const results = await new ModelTextGenerator(model, { batchSize }).generate(conversations, {
        ...request,
        signal: controller.signal,
        onText: (row, text) => {
          streamed[row] += text;
          controller.abort();
        },
      });
      assert.equal(results.length, 3);
      results.forEach((r, i) => {
        assert.equal(r.finishReason, 'length');
        assert.ok(r.tokenIds.length <= 2, `batch ${batchSize}, row ${i}: ${r.tokenIds.length} tokens`);
        assert.equal(r.logProbs.length, r.tokenIds.length);
        assert.deepEqual(r.tokenIds, full[i]!.tokenIds.slice(0, r.tokenIds.length));
        assert.equal(streamed[i], r.text, 'the stream adds up to the text returned');
      });
      assert.ok(results[0]!.tokenIds.length >= 1);
      if (batchSize === 2) assert.equal(results[2]!.tokenIds.length, 0, 'the batch after the abort does not run');
    }
    const controller = new AbortController();
    controller.abort();
    const none = await new ModelTextGenerator(model).generate(conversations, { ...request, signal: controller.signal });
    assert.deepEqual(none.map((r) => [r.tokenIds.length, r.finishReason, r.text]), none.map(() => [0, 'length', '']));
  });

  test('finish reasons: eos, a per-row stop string (text cut before it), and length', async () => {
    const [free0, free1, free2] = await generateTokens(model, prompts, { maxNewTokens: 8, eosTokenIds: [] });
    // An end token that row 0 samples and the other rows never do.
    const at = free0!.tokens.findIndex((t, i) => i >= 2 && !free1!.tokens.includes(t) && !free2!.tokens.includes(t));
    assert.ok(at >= 2, 'need a token only row 0 produces');
    const eos = free0!.tokens[at]!;
    const first = free0!.tokens.indexOf(eos);
    const text = free1!.text;
    assert.ok(text.length >= 6, `need some text, got ${JSON.stringify(text)}`);
    const stop = text.slice(3, 6);
    const rows = await generateTokens(model, prompts, { maxNewTokens: 8, eosTokenIds: [eos], rows: [undefined, { stopStrings: [stop] }] });
    assert.equal(rows[0]!.finishReason, 'eos');
    assert.deepEqual(rows[0]!.tokens, free0!.tokens.slice(0, first));
    assert.deepEqual(rows[0]!.logProbs, free0!.logProbs.slice(0, first));
    assert.equal(rows[1]!.finishReason, 'stop');
    assert.equal(rows[1]!.stop, stop);
    assert.equal(rows[1]!.text, text.slice(0, text.indexOf(stop)));
    assert.ok(rows[1]!.tokens.length < 8);
    assert.equal(rows[1]!.logProbs.length, rows[1]!.tokens.length);
    assert.equal(rows[2]!.finishReason, 'length');
    assert.deepEqual(rows[2]!.tokens, free2!.tokens);
    assert.equal(rows[2]!.stop, undefined);

    // The same through the TextGenerator contract.
    const generator = new ModelTextGenerator(model);
    const conversations: Message[][] = [[{ role: 'user', content: 'Hello there.' }], [{ role: 'user', content: 'Tell me more.' }]];
    const [plain] = await generator.generate([conversations[1]!], { params: { maxNewTokens: 8, temperature: 0 } });
    assert.ok(plain!.text.length >= 6, `need some text, got ${JSON.stringify(plain!.text)}`);
    const chatStop = plain!.text.slice(3, 6);
    const [long, stopped] = await generator.generate(conversations, { params: { maxNewTokens: 8, temperature: 0 }, perRow: [undefined, { stop: [chatStop] }] });
    assert.equal(long!.finishReason, 'length');
    assert.equal(long!.tokenIds.length, 8);
    assert.equal(long!.stop, undefined);
    assert.equal(long!.promptTokens, generator.encodeConversation(conversations[0]!).length);
    assert.equal(stopped!.finishReason, 'stop');
    assert.equal(stopped!.stop, chatStop);
    assert.equal(stopped!.text, plain!.text.slice(0, plain!.text.indexOf(chatStop)));
    assert.deepEqual(stopped!.tokenIds, plain!.tokenIds.slice(0, stopped!.tokenIds.length));
  });
});
