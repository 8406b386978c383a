/**
 * `exportOnnx`: the tiny embedded model with a LoRA adapter folded in, written in the layout
 * transformers.js reads, loaded by @huggingface/transformers itself (local files only) and
 * decoded greedily — its tokens must equal Attune's own generator's on the model + adapter; the
 * same with the weights in external data; the cache outputs hold past + new tokens; a bf16 base
 * is exported as fp32; bad requests are refused with what to do.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AutoModelForCausalLM, Tensor, env } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';
import { Xoshiro128 } from '../../core/base/rng.js';
import { exportOnnx } from '../../core/model/export/index.js';
import { InferenceModel, generateTokens } from '../../core/model/generation/index.js';
import { openModelFolder } from '../../core/model/folder/open-model-folder.js';
import { initLora, loraConfig, saveLoraAdapter } from '../../core/model/lora/index.js';

env.allowRemoteModels = false;

const PROMPT = 'I have been feeling lonely since I moved to a new city.';
const NEW_TOKENS = 16;

/** Greedy continuation through transformers.js, the prompt's tokens removed; no stop token and no repetition penalty (the folder's generation_config sets 1.05), like Attune's plain greedy with eosTokenIds []. */
async function transformersJsGreedy(dir: string, ids: number[]): Promise<number[]> {
  const model = await AutoModelForCausalLM.from_pretrained(dir, { local_files_only: true, dtype: 'fp32' });
  try {
    const input = new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);
    const mask = new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]);
    const out = (await model.generate({ input_ids: input, attention_mask: mask, max_new_tokens: NEW_TOKENS, do_sample: false, repetition_penalty: 1, eos_token_id: [] } as never)) as Tensor;
    return Array.from(out.data as BigInt64Array, Number).slice(ids.length);
  } finally {
    await model.dispose();
  }
}

async function attuneGreedy(model: string, adapter: string | undefined, ids: number[]): Promise<number[]> {
  const inference = await InferenceModel.open(model, adapter ? { adapter } : {});
  try {
    const [row] = await generateTokens(inference, [ids], { maxNewTokens: NEW_TOKENS, eosTokenIds: [] });
    return row!.tokens;
  } finally {
    await inference.release();
  }
}

describe('export onnx (transformers.js layout)', () => {
  let dir: string;
  let adapterDir: string;
  let ids: number[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'attune-export-test-'));
    const folder = await openModelFolder('attune-tiny-qwen2');
    ids = folder.tokenizer.encode(PROMPT);
    // A trained-looking adapter: PEFT's A and a random, non-zero B on every projection.
    const state = initLora(loraConfig({ r: 4, alpha: 8, targetModules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] }, 'lora'), folder.config, 3);
    const rng = Xoshiro128.fromSeed(5);
    for (const p of state.parameters) if (p.name.includes('lora_B')) for (let i = 0; i < p.data.length; i++) p.data[i] = 0.2 * (2 * rng.nextFloat() - 1);
    adapterDir = join(dir, 'adapter');
    await mkdir(adapterDir);
    await saveLoraAdapter(adapterDir, state, { baseModel: 'attune-tiny-qwen2' });
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  test("transformers.js loads the export and its greedy tokens equal Attune's on the model + adapter", async () => {
    const out = join(dir, 'with-adapter');
    const result = await exportOnnx({ model: 'attune-tiny-qwen2', adapter: adapterDir, out });
    assert.equal(result.mergedModules, 2 * 7);
    assert.equal(result.externalData, null, 'a small model is written inline');
    for (const file of ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']) assert.ok(existsSync(join(out, file)), file);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(config.model_type, 'qwen2');
    assert.deepEqual(config['transformers.js_config'], { use_external_data_format: false });

    const ours = await attuneGreedy('attune-tiny-qwen2', adapterDir, ids);
    const theirs = await transformersJsGreedy(out, ids);
    assert.equal(ours.length, NEW_TOKENS);
    assert.deepEqual(theirs, ours);
    const base = await attuneGreedy('attune-tiny-qwen2', undefined, ids);
    assert.notDeepEqual(base, ours, 'the adapter changes the greedy tokens, so equality shows it was folded in');
  });

  test('with the weights in external data (onnx/model.onnx_data) transformers.js loads it the same', async () => {
    const out = join(dir, 'external');
    const result = await exportOnnx({ model: 'attune-tiny-qwen2', out, externalData: true });
    assert.equal(result.externalData, join(out, 'onnx', 'model.onnx_data'));
    assert.ok(readFileSync(join(out, 'onnx', 'model.onnx')).byteLength < 200_000, 'the weights are not inline');
    assert.deepEqual(await transformersJsGreedy(out, ids), await attuneGreedy('attune-tiny-qwen2', undefined, ids));
  });

  test('the signature is the Optimum one: named batch dim, static kv heads and head size, present = past + new', async () => {
    const out = join(dir, 'signature');
    await exportOnnx({ model: 'attune-tiny-qwen2', out });
    const session = await ort.InferenceSession.create(join(out, 'onnx', 'model.onnx'));
    try {
      assert.deepEqual(session.inputNames, ['input_ids', 'attention_mask', 'position_ids', 'past_key_values.0.key', 'past_key_values.0.value', 'past_key_values.1.key', 'past_key_values.1.value']);
      assert.deepEqual([...session.outputNames].sort(), ['logits', 'present.0.key', 'present.0.value', 'present.1.key', 'present.1.value']);
      const meta = session.inputMetadata.find((m) => m.name === 'past_key_values.0.key') as { shape: readonly (number | string)[] };
      assert.deepEqual(meta.shape, ['batch_size', 2, 'past_sequence_length', 16]);
      const int64 = (values: number[], dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), dims);
      const empty = new ort.Tensor('float32', new Float32Array(0), [1, 2, 0, 16]);
      const first = await session.run({
        input_ids: int64(ids.slice(0, 5), [1, 5]),
        attention_mask: int64([1, 1, 1, 1, 1], [1, 5]),
        position_ids: int64([0, 1, 2, 3, 4], [1, 5]),
        'past_key_values.0.key': empty,
        'past_key_values.0.value': empty,
        'past_key_values.1.key': empty,
        'past_key_values.1.value': empty,
      });
      assert.deepEqual(first.logits!.dims, [1, 5, 3072]);
      assert.deepEqual(first['present.1.value']!.dims, [1, 2, 5, 16]);
      const second = await session.run({
        input_ids: int64([ids[5]!], [1, 1]),
        attention_mask: int64([1, 1, 1, 1, 1, 1], [1, 6]),
        position_ids: int64([5], [1, 1]),
        'past_key_values.0.key': first['present.0.key']!,
        'past_key_values.0.value': first['present.0.value']!,
        'past_key_values.1.key': first['present.1.key']!,
        'past_key_values.1.value': first['present.1.value']!,
      });
      assert.deepEqual(second['present.0.key']!.dims, [1, 2, 6, 16]);
      // The cached step's logits equal a whole-sequence run's at the same position.
      const whole = await session.run({
        input_ids: int64(ids.slice(0, 6), [1, 6]),
        attention_mask: int64([1, 1, 1, 1, 1, 1], [1, 6]),
        position_ids: int64([0, 1, 2, 3, 4, 5], [1, 6]),
        'past_key_values.0.key': empty,
        'past_key_values.0.value': empty,
        'past_key_values.1.key': empty,
        'past_key_values.1.value': empty,
      });
      const cached = second.logits!.data as Float32Array;
      const full = (whole.logits!.data as Float32Array).subarray(5 * 3072);
      let worst = 0;
      for (let i = 0; i < 3072; i++) worst = Math.max(worst, Math.abs(cached[i]! - full[i]!));
      assert.ok(worst < 1e-4, `cached vs whole-sequence logits: max |Δ| ${worst}`);
    } finally {
      await session.release();
    }
  });

  test('a bf16 base is exported with fp32 weights', async () => {
    const out = join(dir, 'small');
    const result = await exportOnnx({ model: 'attune-small-qwen2', out });
    const folder = await openModelFolder('attune-small-qwen2');
    const stored = folder.weights.names().reduce((sum, n) => sum + folder.weights.locate(n).byteLength, 0);
    // Every bf16 weight became 4 bytes; the rest are the graph's own small constants (rotary frequencies, shapes).
    assert.ok(result.weightBytes >= 2 * stored && result.weightBytes < 2 * stored + 16_384, `${result.weightBytes} bytes of initializers for ${stored} bytes of bf16 weights`);
    assert.equal((JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { torch_dtype: string }).torch_dtype, 'float32');
  });

  test('a non-empty --out and an adapter for another base are refused, saying what to do', async () => {
    const full = join(dir, 'full');
    await mkdir(full);
    await writeFile(join(full, 'keep.txt'), 'mine');
    await assert.rejects(exportOnnx({ model: 'attune-tiny-qwen2', out: full }), /exists and is not empty/);
    assert.equal(readFileSync(join(full, 'keep.txt'), 'utf8'), 'mine');
    await assert.rejects(exportOnnx({ model: 'attune-small-qwen2', adapter: adapterDir, out: join(dir, 'other') }), /trained on 'attune-tiny-qwen2', not on 'attune-small-qwen2'/);
    assert.ok(!existsSync(join(dir, 'other')), 'nothing is left behind');
  });
});
