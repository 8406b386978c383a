/**
 * LoRA on the decoder: configuration, PEFT-style seeded init, B = 0 equals the base model,
 * merged equals unmerged, PEFT adapter folders round-trip exactly (and open in generation as the
 * same adapter), and located errors for broken adapter folders.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openModelFolder } from '../../core/model/folder/open-model-folder.js';
import type { ModelFolder } from '../../core/model/folder/open-model-folder.js';
import { buildDecoderProgram, padBatch } from '../../core/model/decoder/index.js';
import type { DecoderModel } from '../../core/model/decoder/index.js';
import {
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
  EXTRA_TENSORS_FILE,
  LoraError,
  initLora,
  loadLoraAdapter,
  loraConfig,
  loraScale,
  saveLoraAdapter,
  writeMergedModel,
} from '../../core/model/lora/index.js';
import type { LoraConfig, LoraState } from '../../core/model/lora/index.js';
import { InferenceModel } from '../../core/model/generation/inference-model.js';
import { SafetensorsFile } from '../../core/model/safetensors/reader.js';
import { writeSafetensors } from '../../core/model/safetensors/writer.js';
import { Xoshiro128 } from '../../core/base/rng.js';
import { tinyLlamaConfig, writeRandomFolder } from './reference/random-folder.js';
import { runOnce } from './reference/compare.js';

const ROWS = [
  [5, 17, 300, 9, 44, 1000],
  [7, 8, 9],
];

/** B factors drawn N-ish(0, 0.05) so the adapter visibly changes the model. */
function randomizeB(state: LoraState, seed: number): void {
  const rng = Xoshiro128.fromSeed(seed);
  for (const p of state.parameters) if (p.name.endsWith('lora_B.weight')) for (let i = 0; i < p.data.length; i++) p.data[i] = (rng.nextFloat() - 0.5) * 0.1;
}

async function logitsOf(model: DecoderModel, config?: LoraConfig, state?: LoraState): Promise<Float32Array> {
  const batch = padBatch(ROWS.map((ids) => ({ ids })), model.config, { padId: 0, side: 'left' });
  const { program } = buildDecoderProgram(model, { outputs: ['logits'], ...(config ? { trainable: { kind: 'lora', lora: config } } : {}) });
  const params = state ? Object.fromEntries(state.parameters.map((p) => [p.name, p.data])) : {};
  return (await runOnce(program, { ...batch.feeds, ...params }, batch.dims))['logits']?.data as Float32Array;
}

/** Max |a − b| over real tokens of the left-padded ROWS batch. */
function realTokenError(a: Float32Array, b: Float32Array, vocab: number): { err: number; scale: number } {
  const seq = Math.max(...ROWS.map((r) => r.length));
  let err = 0;
  let scale = 0;
  ROWS.forEach((row, r) => {
    for (let t = seq - row.length; t < seq; t++) {
      for (let v = 0; v < vocab; v++) {
        const i = (r * seq + t) * vocab + v;
        err = Math.max(err, Math.abs((a[i] as number) - (b[i] as number)));
        scale = Math.max(scale, Math.abs(b[i] as number));
      }
    }
  });
  return { err, scale };
}

describe('LoRA configuration', () => {
  test('PEFT defaults, short names, all-linear, rsLoRA scale, located errors', () => {
    const d = loraConfig();
    assert.deepEqual(d, { r: 8, alpha: 8, dropout: 0, targetModules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'], useRslora: false });
    assert.deepEqual(loraConfig({ targetModules: ['v', 'q_proj', 'q'] }).targetModules, ['q_proj', 'v_proj']);
    assert.equal(loraConfig({ targetModules: 'all-linear' }).targetModules.length, 7);
    assert.equal(loraScale(loraConfig({ r: 16, alpha: 32 })), 2);
    assert.equal(loraScale(loraConfig({ r: 16, alpha: 32, useRslora: true })), 8);
    assert.throws(() => loraConfig({ targetModules: ['q_proj', 'lm_head'] }, 'recipe.lora'), (e: unknown) => e instanceof LoraError && /recipe\.lora\.targetModules: target module "lm_head" is not a decoder projection/.test(e.message));
    assert.throws(() => loraConfig({ r: 0 }, 'recipe.lora'), /recipe\.lora: key "r"/);
    assert.throws(() => loraConfig({ dropout: 1 }), /key "dropout"/);
  });
});

describe('LoRA init', () => {
  test('A is kaiming-uniform(a=√5) = U(−1/√in, 1/√in), B is zero, seeded per (layer, module)', async () => {
    const folder = await openModelFolder('attune-tiny-qwen2');
    const config = loraConfig({ r: 8 });
    const state = initLora(config, folder.config, 42);
    assert.equal(state.parameters.length, 2 * 7 * 2);
    const downA = state.factor(1, 'down_proj', 'A');
    assert.deepEqual(downA.shape, [8, folder.config.intermediateSize]);
    for (const { a, b } of state.pairs()) {
      const bound = 1 / Math.sqrt(a.shape[1] as number);
      let sumSq = 0;
      for (const v of a.data) {
        assert.ok(Math.abs(v) <= bound);
        sumSq += v * v;
      }
      // Variance of U(−b, b) is b²/3; hundreds of draws land within 25 % of it.
      const variance = sumSq / a.data.length;
      assert.ok(Math.abs(variance / (bound * bound / 3) - 1) < 0.25, `${a.name}: variance ${variance} vs ${(bound * bound) / 3}`);
      assert.ok(b.data.every((v) => v === 0));
    }
    assert.deepEqual(initLora(config, folder.config, 42).parameters, state.parameters);
    assert.notDeepEqual(initLora(config, folder.config, 43).factor(0, 'q_proj', 'A').data, state.factor(0, 'q_proj', 'A').data);
    const fewer = initLora(loraConfig({ r: 8, targetModules: ['q', 'down'] }), folder.config, 42);
    assert.deepEqual(fewer.factor(1, 'down_proj', 'A').data, downA.data, 'adding targets does not reshuffle the others');
  });

  test('with B = 0 the adapted model equals the base model', async () => {
    const folder = await openModelFolder('attune-tiny-qwen2');
    const config = loraConfig({ r: 4, alpha: 16 });
    const base = await logitsOf(folder);
    const adapted = await logitsOf(folder, config, initLora(config, folder.config, 1));
    const { err } = realTokenError(adapted, base, folder.config.vocabSize);
    assert.equal(err, 0);
  });
});

describe('merge', () => {
  async function checkMerge(folder: ModelFolder, config: LoraConfig): Promise<string> {
    const state = initLora(config, folder.config, 5);
    randomizeB(state, 6);
    const unmerged = await logitsOf(folder, config, state);
    const out = join(await mkdtemp(join(tmpdir(), 'attune-merged-')), 'merged');
    await writeMergedModel(folder, state, out);
    const merged = await openModelFolder(out);
    const mergedLogits = await logitsOf(merged);
    const { err, scale } = realTokenError(mergedLogits, unmerged, folder.config.vocabSize);
    // fp32: W + s·B·A rounded once vs the two-GEMM LoRA path; errors of order K·ε relative.
    assert.ok(err < 2e-5 * Math.max(1, scale), `merged vs unmerged: ${err} (scale ${scale})`);
    const moved = realTokenError(mergedLogits, await logitsOf(folder), folder.config.vocabSize).err;
    assert.ok(moved > 1e-3, `the adapter must change the logits (moved ${moved})`);
    return out;
  }

  test('merged equals unmerged (embedded Qwen2, rsLoRA); the folder is complete', async () => {
    const folder = await openModelFolder('attune-tiny-qwen2');
    const out = await checkMerge(folder, loraConfig({ r: 4, alpha: 8, useRslora: true }));
    const files = (await readdir(out)).sort();
    assert.deepEqual(files, (await readdir(folder.dir)).sort(), 'config, generation config, tokenizer files and weights are all there');
    assert.equal(await readFile(join(out, 'config.json'), 'utf8'), await readFile(join(folder.dir, 'config.json'), 'utf8'));
    const merged = await SafetensorsFile.open(join(out, 'model.safetensors'));
    assert.equal(merged.metadata['format'], 'pt');
    assert.deepEqual(merged.names().sort(), folder.weights.names().sort());
  });

  test('a sharded base is merged shard by shard under its own index', async () => {
    const dir = await writeRandomFolder(tinyLlamaConfig(), { seed: 12 });
    const single = await SafetensorsFile.open(join(dir, 'model.safetensors'));
    const shards: [Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }>, Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }>] = [{}, {}];
    const weightMap: Record<string, string> = {};
    for (const name of single.names()) {
      const k = name.includes('layers.1.') || name.startsWith('lm_head') ? 1 : 0;
      shards[k][name] = { dtype: 'F32', shape: single.info(name).shape, data: await single.readFloat32(name) };
      weightMap[name] = `model-0000${k + 1}-of-00002.safetensors`;
    }
    await writeSafetensors(join(dir, 'model-00001-of-00002.safetensors'), shards[0]);
    await writeSafetensors(join(dir, 'model-00002-of-00002.safetensors'), shards[1]);
    await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    await rm(join(dir, 'model.safetensors'));
    const folder = await openModelFolder(dir);
    assert.equal(folder.weights.files.length, 2);
    const out = await checkMerge(folder, loraConfig({ r: 2, alpha: 2, targetModules: ['o', 'down'] }));
    assert.deepEqual((await readdir(out)).filter((f) => f.startsWith('model')).sort(), ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json']);
  });

  test('merging into bfloat16 weights keeps bfloat16 storage', async () => {
    const dir = await writeRandomFolder(tinyLlamaConfig({ torch_dtype: 'bfloat16' }), { seed: 3, dtype: 'BF16' });
    const folder = await openModelFolder(dir);
    const config = loraConfig({ r: 2, alpha: 4, targetModules: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] });
    const state = initLora(config, folder.config, 5);
    randomizeB(state, 6);
    const out = join(await mkdtemp(join(tmpdir(), 'attune-merged-')), 'merged');
    await writeMergedModel(folder, state, out);
    const merged = await openModelFolder(out);
    assert.equal(merged.weights.locate('model.layers.0.self_attn.q_proj.weight').dtype, 'BF16');
    const before = await folder.weights.readFloat32('model.layers.0.mlp.down_proj.weight');
    const after = await merged.weights.readFloat32('model.layers.0.mlp.down_proj.weight');
    assert.notDeepEqual(after, before);
    assert.deepEqual(await merged.weights.readFloat32('model.norm.weight'), await folder.weights.readFloat32('model.norm.weight'));
  });
});

describe('PEFT adapter folders', () => {
  async function savedAdapter(): Promise<{ folder: ModelFolder; state: LoraState; dir: string }> {
    const folder = await openModelFolder('attune-tiny-qwen2');
    const state = initLora(loraConfig({ r: 4, alpha: 8, dropout: 0.1, targetModules: ['q', 'v', 'down'] }), folder.config, 9);
    randomizeB(state, 10);
    const dir = join(await mkdtemp(join(tmpdir(), 'attune-adapter-')), 'adapter');
    const head = { name: 'emotion_head.weight', shape: [32, 64], data: Float32Array.from({ length: 32 * 64 }, (_, i) => Math.cos(i)) };
    await saveLoraAdapter(dir, state, { baseModel: 'attune-tiny-qwen2', extraTensors: [head] });
    return { folder, state, dir };
  }

  test('save → load round-trips exactly, with PEFT names, config and the extra tensors', async () => {
    const { folder, state, dir } = await savedAdapter();
    assert.deepEqual((await readdir(dir)).sort(), [ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, EXTRA_TENSORS_FILE].sort());
    const cfg = JSON.parse(await readFile(join(dir, ADAPTER_CONFIG_FILE), 'utf8')) as Record<string, unknown>;
    assert.equal(cfg['peft_type'], 'LORA');
    assert.equal(cfg['task_type'], 'CAUSAL_LM');
    assert.equal(cfg['bias'], 'none');
    assert.equal(cfg['r'], 4);
    assert.equal(cfg['lora_alpha'], 8);
    assert.equal(cfg['lora_dropout'], 0.1);
    assert.equal(cfg['use_rslora'], false);
    assert.equal(cfg['base_model_name_or_path'], 'attune-tiny-qwen2');
    assert.deepEqual(cfg['target_modules'], ['q_proj', 'v_proj', 'down_proj']);
    const file = await SafetensorsFile.open(join(dir, ADAPTER_WEIGHTS_FILE));
    assert.deepEqual(file.info('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight').shape, [4, 64]);
    assert.deepEqual(file.info('base_model.model.model.layers.1.mlp.down_proj.lora_B.weight').shape, [64, 4]);
    assert.equal(file.names().length, 2 * 3 * 2);

    const loaded = await loadLoraAdapter(dir, folder.config);
    assert.deepEqual(loaded.state.config, state.config);
    assert.deepEqual(loaded.state.parameters, state.parameters);
    assert.equal(loaded.baseModel, 'attune-tiny-qwen2');
    assert.deepEqual(loaded.extraTensors.map((t) => [t.name, t.shape]), [['emotion_head.weight', [32, 64]]]);
    assert.deepEqual(loaded.extraTensors[0]?.data, Float32Array.from({ length: 32 * 64 }, (_, i) => Math.cos(i)));

    // Generation opens the saved folder as the same adapter: every factor and the scale.
    const viaGeneration = await InferenceModel.open(folder, { adapter: dir });
    try {
      assert.equal(viaGeneration.adapter?.scale, state.scale);
      assert.deepEqual(viaGeneration.adapter?.factor(1, 'down_proj', 'B').data, state.factor(1, 'down_proj', 'B').data);
      assert.deepEqual(Object.keys(viaGeneration.adapterFeeds(true)).sort(), state.parameters.map((p) => p.name).sort());
    } finally {
      await viaGeneration.release();
    }
  });

  test('saving over an adapter replaces the whole folder', async () => {
    const { folder, state, dir } = await savedAdapter();
    await saveLoraAdapter(dir, state, { baseModel: 'attune-tiny-qwen2' });
    assert.deepEqual((await readdir(dir)).sort(), [ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE].sort(), 'no stale heads file survives');
    assert.equal((await loadLoraAdapter(dir, folder.config)).extraTensors.length, 0);
  });

  test('a missing, misshapen or unexpected tensor fails naming it', async () => {
    const { folder, dir } = await savedAdapter();
    const file = await SafetensorsFile.open(join(dir, ADAPTER_WEIGHTS_FILE));
    const tensors: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> = {};
    for (const name of file.names()) tensors[name] = { dtype: 'F32', shape: file.info(name).shape, data: await file.readFloat32(name) };
    const missing = 'base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight';
    const { [missing]: dropped, ...rest } = tensors;
    assert.ok(dropped);
    await writeSafetensors(join(dir, ADAPTER_WEIGHTS_FILE), rest);
    await assert.rejects(loadLoraAdapter(dir, folder.config), (e: unknown) => e instanceof LoraError && e.message.includes(`missing tensor "${missing}" (expected shape [32, 4])`));

    const wrong = 'base_model.model.model.layers.0.mlp.down_proj.lora_A.weight';
    await writeSafetensors(join(dir, ADAPTER_WEIGHTS_FILE), { ...tensors, [wrong]: { dtype: 'F32', shape: [4, 64], data: new Float32Array(256) } });
    await assert.rejects(loadLoraAdapter(dir, folder.config), new RegExp(`tensor "${wrong.replace(/\./g, '\\.')}" has shape \\[4, 64\\]; r=4 on this base model implies \\[4, 176\\]`));

    const stray = 'base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight';
    await writeSafetensors(join(dir, ADAPTER_WEIGHTS_FILE), { ...tensors, [stray]: { dtype: 'F32', shape: [4, 64], data: new Float32Array(256) } });
    await assert.rejects(loadLoraAdapter(dir, folder.config), new RegExp(`unexpected tensor "${stray.replace(/\./g, '\\.')}"`));
  });

  test('adapter configs with options Attune does not implement are refused naming the key', async () => {
    const { folder, dir } = await savedAdapter();
    const cfg = JSON.parse(await readFile(join(dir, ADAPTER_CONFIG_FILE), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, ADAPTER_CONFIG_FILE), JSON.stringify({ ...cfg, use_dora: true }));
    await assert.rejects(loadLoraAdapter(dir, folder.config), /adapter_config\.json: key "use_dora" is true, which Attune does not support/);
    await writeFile(join(dir, ADAPTER_CONFIG_FILE), JSON.stringify({ ...cfg, r: 'eight' }));
    await assert.rejects(loadLoraAdapter(dir, folder.config), /adapter_config\.json: key "r"/);
  });
});
