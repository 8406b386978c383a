/**
 * Generation on the engine against independent computations: the KV-cached path against the
 * whole-sequence graph and against a float64 reference decoder in plain JS (with a LoRA adapter
 * merged into the weights), left padding, and perplexity against log-softmax of full logits.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tinyLlamaConfig, writeRandomFolder, openDecoderModel, readReferenceTensors } from './reference/random-folder.js';
import { referenceForward } from './reference/reference-decoder.js';
import type { ReferenceTensors } from './reference/reference-decoder.js';
import { Xoshiro128 } from '../../core/base/rng.js';
import type { DecoderConfig } from '../../core/model/folder/config.js';
import { writeSafetensors } from '../../core/model/safetensors/writer.js';
import type { TensorToWrite } from '../../core/model/safetensors/writer.js';
import { InferenceModel, fullLogits, generateTokens, perplexity, tokenLogProbs } from '../../core/model/generation/index.js';
import { DECODER_OUTPUTS, buildDecoderProgram, padBatch } from '../../core/model/decoder/index.js';
import { IGNORE_INDEX } from '../../core/base/ignore-index.js';
import { LoraError, LoraState, loadLoraAdapter } from '../../core/model/lora/index.js';
import { EngineSession } from '../../core/engine/index.js';
import type { Feed } from '../../core/engine/index.js';

const LLAMA = tinyLlamaConfig({ hidden_size: 32, intermediate_size: 48, num_attention_heads: 4, num_key_value_heads: 2, rope_theta: 500 });

/** Logits [S, V] of one unpadded sequence from the float64 reference decoder (HF math in plain loops). */
function referenceLogits(t: ReferenceTensors, c: DecoderConfig, ids: readonly number[]): Float64Array {
  return referenceForward(c, t, [ids], [ids.map(() => 1)]).logits[0] as Float64Array;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs((a[i] as number) - (b[i] as number)));
  return d;
}

function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if ((x[i] as number) > (x[best] as number)) best = i;
  return best;
}

/** Greedy generation with step logits recorded, rows of [V]. */
async function greedyWithLogits(model: InferenceModel, prompts: number[][], maxNewTokens: number, useAdapter = true): Promise<{ tokens: number[][]; steps: Float32Array[][] }> {
  const V = model.config.vocabSize;
  const steps: Float32Array[][] = prompts.map(() => []);
  const rows = await generateTokens(model, prompts, {
    maxNewTokens,
    eosTokenIds: [],
    useAdapter,
    onLogits: (_, logits) => prompts.forEach((__, b) => steps[b]!.push(logits.slice(b * V, (b + 1) * V))),
  });
  return { tokens: rows.map((r) => r.tokens), steps };
}

/** Cached greedy generation equals argmax of full recomputation, and so do the logits at every step. */
async function checkCacheAgainstFull(model: InferenceModel, prompts: number[][], maxNewTokens: number, tol: number, useAdapter = true): Promise<void> {
  const V = model.config.vocabSize;
  const { tokens, steps } = await greedyWithLogits(model, prompts, maxNewTokens, useAdapter);
  for (let b = 0; b < prompts.length; b++) {
    assert.equal(tokens[b]!.length, maxNewTokens);
    const full = (await fullLogits(model, [[...prompts[b]!, ...tokens[b]!]], { useAdapter }))[0]!;
    for (let s = 0; s < maxNewTokens; s++) {
      const at = prompts[b]!.length - 1 + s;
      const recomputed = full.subarray(at * V, (at + 1) * V);
      assert.ok(maxAbsDiff(recomputed, steps[b]![s]!) < tol, `row ${b} step ${s}: cached and full logits differ by ${maxAbsDiff(recomputed, steps[b]![s]!)}`);
      assert.equal(tokens[b]![s], argmax(recomputed), `row ${b} step ${s}: greedy token`);
    }
  }
}

describe('generation on the embedded model', () => {
  let model: InferenceModel;
  before(async () => {
    model = await InferenceModel.open('attune-tiny-qwen2');
  });
  after(async () => model.release());

  test('KV-cached greedy decoding equals full recomputation (tokens and logits at each step), batched with left padding', async () => {
    const tok = model.folder.tokenizer;
    const prompts = [tok.encode('I have been feeling anxious about work.'), tok.encode('Hello'), tok.encode('Thanks for listening to me tonight, really.')];
    await checkCacheAgainstFull(model, prompts, 8, 2e-5);
  });

  test('logits of real tokens do not change with left padding', async () => {
    const tok = model.folder.tokenizer;
    const short = tok.encode('short one');
    const long = tok.encode('a much longer sentence that forces the short one to be padded on the left');
    const [alone] = await fullLogits(model, [short]);
    const [, padded] = await fullLogits(model, [long, short]);
    assert.ok(maxAbsDiff(alone!, padded!) < 1e-5, `padding changed logits by ${maxAbsDiff(alone!, padded!)}`);
    const solo = await greedyWithLogits(model, [short], 5);
    const batched = await greedyWithLogits(model, [long, short], 5);
    assert.deepEqual(batched.tokens[1], solo.tokens[0]);
    for (let s = 0; s < 5; s++) assert.ok(maxAbsDiff(batched.steps[1]![s]!, solo.steps[0]![s]!) < 1e-5, `step ${s}`);
  });

  test('perplexity is the mean NLL of log-softmax over full-sequence logits (position t predicts t+1)', async () => {
    const tok = model.folder.tokenizer;
    const texts = [tok.encode('I lost my job and I do not know what to do.'), tok.encode('ok'), tok.encode('We can talk about it whenever you want.')];
    const V = model.config.vocabSize;
    let nll = 0;
    let count = 0;
    for (const ids of texts) {
      const [logits] = await fullLogits(model, [ids]);
      for (let t = 0; t + 1 < ids.length; t++) {
        const row = logits!.subarray(t * V, (t + 1) * V);
        const m = Math.max(...row);
        let z = 0;
        for (const v of row) z += Math.exp(v - m);
        nll -= (row[ids[t + 1]!] as number) - m - Math.log(z);
        count++;
      }
    }
    const result = await perplexity(model, texts, { batchSize: 2 });
    assert.equal(result.tokens, count);
    assert.ok(Math.abs(result.meanNll - nll / count) < 1e-5, `${result.meanNll} vs ${nll / count}`);
    assert.ok(Math.abs(result.perplexity - Math.exp(nll / count)) / result.perplexity < 1e-5);
    const perText = await tokenLogProbs(model, texts);
    assert.deepEqual(perText.map((x) => x.length), texts.map((x) => x.length - 1));
    await assert.rejects(perplexity(model, [[5]]), /no token to predict/);
  });

  test('bad prompts are clear errors', async () => {
    await assert.rejects(generateTokens(model, [[]], { maxNewTokens: 2 }), /prompt 0 is empty/);
    await assert.rejects(generateTokens(model, [[1, 99999]], { maxNewTokens: 2 }), /prompt 0, token 1: id 99999 is outside the vocabulary \[0, 3072\)/);
    await assert.rejects(generateTokens(model, [[1]], { maxNewTokens: 0 }), /max new tokens must be a positive integer/);
    await assert.rejects(generateTokens(model, [[1]], { maxNewTokens: 4000 }), /exceeds the model's max_position_embeddings \(2048\)/);
  });
});

describe('generation on a random llama folder, with and without a PEFT adapter', () => {
  let dir: string;
  let tensors: ReferenceTensors;
  let config: DecoderConfig;
  let adapterDir: string;
  let merged: Map<string, Float64Array>;
  const scale = 16 / 4;

  before(async () => {
    dir = await writeRandomFolder(LLAMA, { seed: 7 });
    const opened = await openDecoderModel(dir);
    config = opened.config;
    tensors = await readReferenceTensors(opened);
    // A rank-4 adapter on q/v/o/down of every layer (PEFT adapts a target in every layer), with non-zero B.
    const rng = Xoshiro128.fromSeed(11);
    const draw = (): number => 2 * rng.nextFloat() - 1;
    const targets: [number, string, string, number, number][] = [];
    for (let l = 0; l < 2; l++) {
      targets.push([l, 'self_attn', 'q_proj', 32, 32], [l, 'self_attn', 'v_proj', 16, 32], [l, 'self_attn', 'o_proj', 32, 32], [l, 'mlp', 'down_proj', 32, 48]);
    }
    const adapterTensors: Record<string, TensorToWrite> = {};
    merged = new Map(tensors);
    for (const [l, parent, module, out, inDim] of targets) {
      const a = Float32Array.from({ length: 4 * inDim }, () => 0.3 * draw());
      const b = Float32Array.from({ length: out * 4 }, () => 0.3 * draw());
      const key = `base_model.model.model.layers.${l}.${parent}.${module}`;
      adapterTensors[`${key}.lora_A.weight`] = { dtype: 'F32', shape: [4, inDim], data: a };
      adapterTensors[`${key}.lora_B.weight`] = { dtype: 'F32', shape: [out, 4], data: b };
      const wName = `model.layers.${l}.${parent}.${module}.weight`;
      const w = Float64Array.from(tensors.get(wName)!);
      for (let o = 0; o < out; o++) for (let i = 0; i < inDim; i++) for (let r = 0; r < 4; r++) w[o * inDim + i] = (w[o * inDim + i] as number) + scale * (b[o * 4 + r] as number) * (a[r * inDim + i] as number);
      merged.set(wName, w);
    }
    adapterDir = join(dir, 'adapter');
    await mkdir(adapterDir);
    await writeFile(join(adapterDir, 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: 4, lora_alpha: 16, target_modules: ['q_proj', 'v_proj', 'o_proj', 'down_proj'], base_model_name_or_path: dir, bias: 'none' }));
    await writeSafetensors(join(adapterDir, 'adapter_model.safetensors'), adapterTensors);
  });

  test('the full-sequence graph matches a float64 reference decoder', async () => {
    const model = await InferenceModel.open(dir);
    try {
      const ids = [3, 100, 2000, 45, 7, 999, 1234];
      const [logits] = await fullLogits(model, [ids]);
      const ref = referenceLogits(tensors, config, ids);
      const V = config.vocabSize;
      ids.forEach((_, t) => {
        const d = maxAbsDiff(ref.subarray(t * V, (t + 1) * V), logits!.subarray(t * V, (t + 1) * V));
        assert.ok(d < 2e-4, `position ${t}: ${d}`);
      });
    } finally {
      await model.release();
    }
  });

  test('KV-cached generation equals full recomputation, with the adapter on and off', async () => {
    const model = await InferenceModel.open(dir, { adapter: adapterDir });
    try {
      const prompts = [[5, 6, 7, 8, 9, 10], [11, 12]];
      await checkCacheAgainstFull(model, prompts, 6, 5e-5, true);
      await checkCacheAgainstFull(model, prompts, 6, 5e-5, false);
    } finally {
      await model.release();
    }
  });

  test('the adapter applies PEFT semantics (W + alpha/r·B·A), and adapter off is the base model', async () => {
    const model = await InferenceModel.open(dir, { adapter: adapterDir });
    const base = await InferenceModel.open(dir);
    try {
      const ids = [40, 41, 42, 43, 44];
      const V = config.vocabSize;
      const [withAdapter] = await fullLogits(model, [ids]);
      const refMerged = referenceLogits(merged, config, ids);
      ids.forEach((_, t) => assert.ok(maxAbsDiff(refMerged.subarray(t * V, (t + 1) * V), withAdapter!.subarray(t * V, (t + 1) * V)) < 5e-4, `position ${t}`));
      const [off] = await fullLogits(model, [ids], { useAdapter: false });
      const [baseLogits] = await fullLogits(base, [ids]);
      assert.ok(maxAbsDiff(off!, baseLogits!) < 1e-6);
      assert.ok(maxAbsDiff(withAdapter!, baseLogits!) > 0.1, 'the adapter must change the logits');
    } finally {
      await model.release();
      await base.release();
    }
  });

  test('an adapter for another base shape or a malformed adapter is a clear error', async () => {
    const wrong = join(dir, 'wrong-adapter');
    await mkdir(wrong);
    await writeFile(join(wrong, 'adapter_config.json'), JSON.stringify({ r: 4, lora_alpha: 8, target_modules: ['q_proj'] }));
    await writeSafetensors(join(wrong, 'adapter_model.safetensors'), {
      'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight': { dtype: 'F32', shape: [4, 64], data: new Float32Array(256) },
      'base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight': { dtype: 'F32', shape: [64, 4], data: new Float32Array(256) },
    });
    await assert.rejects(InferenceModel.open(dir, { adapter: wrong }), (e: Error) => {
      assert.ok(e instanceof LoraError);
      assert.match(e.message, /lora_A\.weight" has shape \[4, 64\]; r=4 on this base model implies \[4, 32\]/);
      return true;
    });
    await assert.rejects(InferenceModel.open(dir, { adapter: join(dir, 'missing') }), /adapter_config\.json: cannot read \(ENOENT\)/);
    await writeFile(join(wrong, 'adapter_config.json'), JSON.stringify({ r: 4, lora_alpha: 8, target_modules: ['q_proj'], use_dora: true }));
    await assert.rejects(InferenceModel.open(dir, { adapter: wrong }), /key "use_dora" is true, which Attune does not support/);
  });

  test('an in-memory adapter (a trainer\'s policy) is checked against the base and swapped without reloading', async () => {
    const { state } = await loadLoraAdapter(adapterDir, config);
    const model = await InferenceModel.open(dir);
    const fromFolder = await InferenceModel.open(dir, { adapter: adapterDir });
    try {
      const ids = [40, 41, 42, 43, 44];
      const [base] = await fullLogits(model, [ids]);
      model.setAdapter(state);
      const [adapted] = await fullLogits(model, [ids]);
      const [expected] = await fullLogits(fromFolder, [ids]);
      assert.ok(maxAbsDiff(adapted!, expected!) < 1e-6, 'the in-memory adapter answers like the same adapter read from its folder');
      assert.ok(maxAbsDiff(adapted!, base!) > 0.1);
      model.setAdapter(null);
      const [again] = await fullLogits(model, [ids]);
      assert.ok(maxAbsDiff(again!, base!) < 1e-6);
      const narrow = new LoraState(state.config, 1, state.parameters.filter((p) => p.name.includes('.layers.0.')));
      assert.throws(() => model.setAdapter(narrow), /the adapter has 1 layers but the base model \(llama\) has 2/);
      const misshapen = new LoraState(
        state.config,
        2,
        state.parameters.map((p) => (p.name.endsWith('layers.1.mlp.down_proj.lora_A.weight') ? { ...p, shape: [4, 32], data: p.data.subarray(0, 128) } : p)),
      );
      await assert.rejects(InferenceModel.open(dir, { adapter: misshapen }), /tensor "base_model\.model\.model\.layers\.1\.mlp\.down_proj\.lora_A\.weight" has shape \[4, 32\] and 128 values; r=4 on this base model \(llama, hidden 32\) implies \[4, 48\]/);
    } finally {
      await model.release();
      await fromFolder.release();
    }
  });

  test('the LoRA SFT step bench/model.ts runs (decoder program): mean causal-LM loss equals the scoring path, gradients match central differences', async () => {
    const model = await InferenceModel.open(dir, { adapter: adapterDir });
    const { state } = await loadLoraAdapter(adapterDir, config);
    const { program } = buildDecoderProgram(model.folder, { outputs: ['lmLoss'], trainable: { kind: 'lora', lora: state.config }, gradientsOf: 'lmLossMean' });
    const step = await EngineSession.create(program);
    try {
      const rows = [[3, 9, 27, 81, 243, 729], [5, 25, 125]];
      // Left padding; the first token of a row has no context, so it is no target.
      const batch = padBatch(rows.map((ids) => ({ ids, labels: ids.map((id, t) => (t === 0 ? IGNORE_INDEX : id)) })), config, { padId: 0, side: 'left' });
      const feeds = (params: LoraState['parameters']): Record<string, Feed> => ({ ...batch.feeds, ...Object.fromEntries(params.map((p) => [p.name, p.data])) });
      const meanLoss = (out: Record<string, { data: ArrayLike<number> | ArrayLike<bigint> }>): number =>
        (out[DECODER_OUTPUTS.lmLossSum]!.data[0] as number) / (out[DECODER_OUTPUTS.lmTokenCount]!.data[0] as number);
      const out = await step.run(feeds(state.parameters), { dims: batch.dims });
      const loss = meanLoss(out);
      // The loss equals the per-token mean of the scoring path's log-probabilities.
      const lps = await tokenLogProbs(model, rows);
      const mean = -lps.reduce((acc, lp) => acc + lp.reduce((x, y) => x + y, 0), 0) / lps.reduce((acc, lp) => acc + lp.length, 0);
      assert.ok(Math.abs(loss - mean) < 1e-5, `${loss} vs ${mean}`);
      const h = 1e-2;
      for (const [layer, module, factor, index] of [[0, 'q_proj', 'A', 5], [1, 'o_proj', 'B', 17], [1, 'down_proj', 'A', 100], [0, 'v_proj', 'B', 3]] as const) {
        const name = state.factor(layer, module, factor).name;
        const grad = (out[name]!.data as Float32Array)[index]!;
        const shifted = async (delta: number): Promise<number> => {
          const params = state.parameters.map((p) => (p.name === name ? { ...p, data: Float32Array.from(p.data, (v, i) => (i === index ? v + delta : v)) } : p));
          return meanLoss(await step.run(feeds(params), { dims: batch.dims }));
        };
        const fd = ((await shifted(h)) - (await shifted(-h))) / (2 * h);
        assert.ok(Math.abs(fd - grad) <= 0.03 * Math.abs(grad) + 2e-4, `${name}[${index}]: autodiff ${grad}, central difference ${fd}`);
      }
    } finally {
      await step.release();
      await model.release();
    }
  });
});
