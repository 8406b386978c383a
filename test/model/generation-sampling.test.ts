/** Next-token choice with Hugging Face semantics, seeded sampling, EOS, stop strings and streaming. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Xoshiro128 } from '../../core/base/rng.js';
import { InferenceModel, ModelTextGenerator, applyRepetitionPenalty, filteredCandidates, pickToken, generateTokens, resolveSampling } from '../../core/model/generation/index.js';
import type { SamplingSettings, TokenEvent } from '../../core/model/generation/index.js';

const sampling = (s: Partial<SamplingSettings>): SamplingSettings => ({ doSample: true, temperature: 1, topK: 0, topP: 1, repetitionPenalty: 1, ...s });
const logitsOfProbs = (p: number[]): Float32Array => Float32Array.from(p.map((x) => Math.log(x)));

describe('logits processing (HF semantics)', () => {
  test('repetition penalty divides positive and multiplies negative logits of seen tokens, once each', () => {
    const l = Float32Array.from([2, -2, 1, 4]);
    applyRepetitionPenalty(l, new Set([0, 1, 0]), 2);
    assert.deepEqual([...l], [1, -4, 1, 4]);
  });

  test('top-k keeps the k most likely tokens and ties at the k-th value', () => {
    const { ids } = filteredCandidates(Float32Array.from([1, 5, 3, 3, 0]), sampling({ topK: 2 }));
    assert.deepEqual([...ids], [1, 2, 3]);
  });

  test('top-p keeps the smallest most-likely set reaching the mass, dropping a tail of mass ≤ 1 − top_p', () => {
    const probs = [0.5, 0.3, 0.15, 0.05];
    assert.deepEqual([...filteredCandidates(logitsOfProbs(probs), sampling({ topP: 0.8 })).ids], [0, 1]);
    assert.deepEqual([...filteredCandidates(logitsOfProbs(probs), sampling({ topP: 0.81 })).ids], [0, 1, 2]);
    assert.deepEqual([...filteredCandidates(logitsOfProbs(probs), sampling({ topP: 0.01 })).ids], [0], 'at least one token');
    // After top-k the mass is renormalized over the survivors: {0.5, 0.3} → {0.625, 0.375}.
    assert.deepEqual([...filteredCandidates(logitsOfProbs(probs), sampling({ topK: 2, topP: 0.6 })).ids], [0]);
  });

  test('top-p over a large vocabulary (no top-k) drops exactly the tail HF drops, cut short by nothing', () => {
    const V = 3000;
    const logits = Float32Array.from({ length: V }, (_, i) => Math.sin(i * 7.3) * 2);
    const p = [...logits].map((x) => Math.exp(x));
    const total = p.reduce((x, y) => x + y, 0);
    for (const topP of [0.5, 0.9, 0.99]) {
      // HF TopPLogitsWarper: ascending order, drop while the cumulative probability is ≤ 1 − top_p.
      const ascending = [...p.keys()].sort((x, y) => p[x]! - p[y]!);
      let cum = 0;
      let removed = 0;
      for (let j = 0; j < ascending.length - 1; j++) {
        cum += p[ascending[j]!]! / total;
        if (cum > 1 - topP) break;
        removed++;
      }
      const expected = ascending.slice(removed).sort((x, y) => x - y);
      assert.deepEqual([...filteredCandidates(logits, sampling({ topP })).ids].sort((x, y) => x - y), expected, `top_p ${topP}`);
    }
  });

  test('temperature sharpens the distribution the draw uses', () => {
    const { weights } = filteredCandidates(logitsOfProbs([0.6, 0.4]), sampling({ temperature: 0.5 }));
    const z = (weights[0] as number) + (weights[1] as number);
    assert.ok(Math.abs((weights[0] as number) / z - 0.36 / 0.52) < 1e-6);
  });

  test('draws follow the filtered distribution', () => {
    const rng = Xoshiro128.fromSeed(1);
    const counts = [0, 0, 0, 0];
    const s = sampling({ topK: 3 });
    for (let i = 0; i < 4000; i++) counts[pickToken(logitsOfProbs([0.5, 0.25, 0.125, 0.125]), new Set(), s, rng).token]! += 1;
    // Top-3 keeps ties at the 3rd value, so all four survive; frequencies near 1/2, 1/4, 1/8, 1/8.
    assert.ok(Math.abs(counts[0]! / 4000 - 0.5) < 0.04 && Math.abs(counts[1]! / 4000 - 0.25) < 0.04, counts.join(','));
    const greedy = pickToken(Float32Array.from([1, 3, 2]), new Set([1]), sampling({ doSample: false, repetitionPenalty: 2 }), rng).token;
    assert.equal(greedy, 2, 'the penalty applies before argmax');
  });

  test('settings resolve like transformers: explicit, then generation_config, then defaults', () => {
    const gen = { doSample: true, temperature: 0.7, topP: 0.8, topK: 20, repetitionPenalty: 1.05 } as Parameters<typeof resolveSampling>[1];
    assert.deepEqual(resolveSampling({}, gen), { doSample: true, temperature: 0.7, topK: 20, topP: 0.8, repetitionPenalty: 1.05 });
    assert.deepEqual(resolveSampling({ temperature: 0 }, gen), { doSample: false, temperature: 1, topK: 20, topP: 0.8, repetitionPenalty: 1.05 });
    assert.deepEqual(resolveSampling({}, null), { doSample: false, temperature: 1, topK: 50, topP: 1, repetitionPenalty: 1 });
  });
});

describe('generation loop on the embedded model', () => {
  let model: InferenceModel;
  let prompt: number[];
  before(async () => {
    model = await InferenceModel.open('attune-tiny-qwen2');
    prompt = model.folder.tokenizer.encode('My friend stopped talking to me and I do not know why.');
  });
  after(async () => model.release());

  test('seeded sampling is reproducible, and another seed gives another sample', async () => {
    const s = sampling({ temperature: 1.2 });
    const run = (seed: number) => generateTokens(model, [prompt, prompt.slice(3)], { maxNewTokens: 12, sampling: s, seed, eosTokenIds: [] });
    const a = await run(42);
    const b = await run(42);
    const c = await run(43);
    assert.deepEqual(a.map((r) => r.tokens), b.map((r) => r.tokens));
    assert.notDeepEqual(a.map((r) => r.tokens), c.map((r) => r.tokens));
  });

  test('an EOS token ends its row (and is not part of the output) while other rows go on', async () => {
    const greedy = await generateTokens(model, [prompt], { maxNewTokens: 6, eosTokenIds: [] });
    const tokens = greedy[0]!.tokens;
    const eos = tokens[3]!;
    const firstAt = tokens.indexOf(eos);
    const [row, other] = await generateTokens(model, [prompt, [5, 6, 7]], { maxNewTokens: 6, eosTokenIds: [eos] });
    assert.equal(row!.finishReason, 'eos');
    assert.deepEqual(row!.tokens, tokens.slice(0, firstAt));
    assert.ok(other!.tokens.length > 0);
    assert.ok(!other!.tokens.includes(eos));
  });

  test('a stop string ends the row; the text is cut before it, and the stream never shows it', async () => {
    const [free] = await generateTokens(model, [prompt], { maxNewTokens: 10, eosTokenIds: [] });
    const text = free!.text;
    assert.ok(text.length >= 6, `need some text, got ${JSON.stringify(text)}`);
    const stop = text.slice(3, 6);
    const streamed: string[] = [];
    const [row] = await generateTokens(model, [prompt], {
      maxNewTokens: 10,
      eosTokenIds: [],
      stopStrings: [stop],
      onToken: (e: TokenEvent) => streamed.push(e.text),
    });
    const cut = text.indexOf(stop);
    assert.equal(row!.finishReason, 'stop');
    assert.equal(row!.stop, stop);
    assert.equal(row!.text, text.slice(0, cut));
    assert.ok(row!.tokens.length < 10);
    assert.equal(streamed.join(''), row!.text);
  });

  test('streamed text adds up to the reply; max new tokens ends a row with reason length', async () => {
    const streamed: string[] = [];
    const [row] = await generateTokens(model, [prompt], { maxNewTokens: 7, eosTokenIds: [], onToken: (e) => streamed.push(e.text) });
    assert.equal(row!.finishReason, 'length');
    assert.equal(row!.tokens.length, 7);
    assert.equal(streamed.join(''), row!.text);
  });

  test('TextGenerator renders the chat template and returns only the new text; the adapter-less model answers as base', async () => {
    const generator = new ModelTextGenerator(model, { batchSize: 1 });
    const conversations = [[{ role: 'user' as const, content: 'I feel alone.' }], [{ role: 'user' as const, content: 'Can we talk?' }]];
    const replies = (await generator.generate(conversations, { params: { maxNewTokens: 5, temperature: 0 } })).map((r) => r.text);
    const ids = generator.encodeConversation(conversations[1]!);
    assert.ok(model.folder.tokenizer.decode(ids).endsWith('<|im_start|>assistant\n'));
    const [direct] = await generateTokens(model, [ids], { maxNewTokens: 5 });
    assert.equal(replies[1], direct!.text);
    await assert.rejects(generator.generate([[]], { params: { maxNewTokens: 2 } }), /conversation 0 has no messages/);
    await assert.rejects(generator.generate(conversations, { params: { maxNewTokens: 2, topP: 1.5 } }), /top_p must be in \(0, 1\]/);
  });
});
