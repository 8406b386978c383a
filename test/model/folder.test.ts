import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelFolderError, openModelFolder, parseDecoderConfig } from '../../core/model/folder/index.js';
import { writeSafetensors } from '../../core/model/safetensors/writer.js';
import { makeFolder, tensorsFor, tinyConfig } from './fixture-folder.js';

async function expectFolderError(promise: Promise<unknown>, ...fragments: string[]): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ModelFolderError, `expected ModelFolderError, got ${String(error)}`);
    for (const f of fragments) assert.ok(error.describe().includes(f), `"${error.describe()}" should mention "${f}"`);
    return true;
  });
}

function expectConfigError(config: Record<string, unknown>, ...fragments: string[]): void {
  assert.throws(
    () => parseDecoderConfig(config, '/m/config.json'),
    (error: unknown) => {
      assert.ok(error instanceof ModelFolderError);
      for (const f of fragments) assert.ok(error.message.includes(f), `"${error.message}" should mention "${f}"`);
      return true;
    },
  );
}

describe('config.json', () => {
  test('qwen2: derived head_dim, GQA, q/k/v biases, eos list, no sliding window', () => {
    const c = parseDecoderConfig(tinyConfig('qwen2', { use_sliding_window: false, sliding_window: 32, eos_token_id: [3071, 3069] }), 'c');
    assert.equal(c.architecture, 'qwen2');
    assert.equal(c.headDim, 2);
    assert.equal(c.numKvHeads, 2);
    assert.equal(c.qkvBias, true);
    assert.equal(c.oProjBias, false);
    assert.equal(c.slidingWindow, null);
    assert.deepEqual(c.eosTokenIds, [3071, 3069]);
    assert.equal(c.raw.model_type, 'qwen2');
  });

  test('llama: kv heads default to heads, explicit head_dim wins, attention_bias adds o_proj bias', () => {
    const base = tinyConfig('llama', { head_dim: 4, attention_bias: true });
    delete base.num_key_value_heads;
    const c = parseDecoderConfig(base, 'c');
    assert.equal(c.numKvHeads, 4);
    assert.equal(c.headDim, 4);
    assert.equal(c.qkvBias, true);
    assert.equal(c.oProjBias, true);
    assert.equal(parseDecoderConfig(tinyConfig('llama'), 'c').qkvBias, false);
  });

  test('mistral: sliding window is kept; rope settings parse', () => {
    const c = parseDecoderConfig(tinyConfig('mistral', { sliding_window: 16, rope_scaling: { type: 'linear', factor: 2 } }), 'c');
    assert.equal(c.slidingWindow, 16);
    assert.deepEqual(c.ropeScaling, { kind: 'linear', factor: 2 });
    assert.equal(c.qkvBias, false);
  });

  test('unsupported or inconsistent configs fail with the file and key', () => {
    expectConfigError(tinyConfig('gemma'), '/m/config.json', '"gemma"', 'llama, qwen2, mistral');
    expectConfigError({ ...tinyConfig('qwen2'), architectures: ['Qwen2ForSequenceClassification'] }, 'Qwen2ForCausalLM');
    expectConfigError(tinyConfig('llama', { rope_scaling: { rope_type: 'yarn', factor: 4 } }), '"yarn"', 'default, linear, llama3');
    expectConfigError(tinyConfig('llama', { rope_scaling: { rope_type: 'llama3', factor: 8 } }), 'rope_scaling.low_freq_factor');
    expectConfigError(tinyConfig('llama', { hidden_act: 'gelu' }), 'hidden_act', 'gelu');
    expectConfigError(tinyConfig('llama', { num_key_value_heads: 3 }), 'num_attention_heads (4)', 'num_key_value_heads (3)');
    expectConfigError(tinyConfig('llama', { hidden_size: 'big' }), '/m/config.json', 'hidden_size');
    expectConfigError(tinyConfig('llama', { torch_dtype: 'int8' }), 'torch_dtype', 'int8');
    const noType = tinyConfig('llama');
    delete noType.model_type;
    expectConfigError(noType, 'model_type');
  });
});

describe('opening a model folder', () => {
  test('a complete qwen2 folder opens; unknown extra tensors are reported, not fatal', async () => {
    const config = tinyConfig('qwen2', { tie_word_embeddings: true });
    const dir = await makeFolder(config, {
      edit: (t) => {
        t['model.layers.0.self_attn.rotary_emb.inv_freq'] = { dtype: 'F32', shape: [1], data: new Float32Array(1) };
      },
      generationConfig: { eos_token_id: [3071, 3069], temperature: 0.7 },
    });
    const folder = await openModelFolder(dir);
    assert.equal(folder.config.architecture, 'qwen2');
    assert.deepEqual(folder.unusedTensors, ['model.layers.0.self_attn.rotary_emb.inv_freq']);
    assert.equal(folder.generation?.temperature, 0.7);
    assert.deepEqual(folder.stopTokenIds.sort(), [3069, 3071]);
    assert.ok(folder.weights.has('model.layers.1.self_attn.k_proj.bias'));
    await rm(dir, { recursive: true });
  });

  test('generation_config.json is optional; stop ids then come from config and tokenizer', async () => {
    const dir = await makeFolder(tinyConfig('llama', { eos_token_id: 3069 }));
    const folder = await openModelFolder(dir);
    assert.equal(folder.generation, null);
    assert.deepEqual(folder.stopTokenIds.sort(), [3069, 3071]);
    await rm(dir, { recursive: true });
  });

  test('a missing lm_head (untied) names the weights file and the tensor', async () => {
    const dir = await makeFolder(tinyConfig('llama'), { edit: (t) => void delete t['lm_head.weight'] });
    await expectFolderError(openModelFolder(dir), join(dir, 'model.safetensors'), 'missing tensor "lm_head.weight"', '[3072, 8]');
    await rm(dir, { recursive: true });
  });

  test('qwen2 without q/k/v biases fails listing every missing bias', async () => {
    const dir = await makeFolder(tinyConfig('qwen2'), {
      edit: (t) => {
        for (const name of Object.keys(t)) if (name.endsWith('.bias')) delete t[name];
      },
    });
    await expectFolderError(openModelFolder(dir), '6 problems', 'model.layers.1.self_attn.v_proj.bias');
    await rm(dir, { recursive: true });
  });

  test('wrong shape and non-float dtype name the tensor, expected and found', async () => {
    const dir = await makeFolder(tinyConfig('mistral'), {
      edit: (t) => {
        t['model.layers.1.mlp.up_proj.weight'] = { dtype: 'F32', shape: [8, 12], data: new Float32Array(96) };
        t['model.norm.weight'] = { dtype: 'I64', shape: [8], data: new BigInt64Array(8) };
      },
    });
    await expectFolderError(
      openModelFolder(dir),
      'tensor "model.layers.1.mlp.up_proj.weight" has shape [8, 12]',
      'implies [12, 8]',
      'tensor "model.norm.weight" has dtype I64',
    );
    await rm(dir, { recursive: true });
  });

  test('a tokenizer larger than vocab_size is refused', async () => {
    const config = tinyConfig('llama', { vocab_size: 100 });
    const dir = await makeFolder(config);
    await expectFolderError(openModelFolder(dir), 'tokenizer.json', 'vocab_size 100');
    await rm(dir, { recursive: true });
  });

  test('sharded weights load through model.safetensors.index.json', async () => {
    const config = tinyConfig('llama');
    const dir = await makeFolder(config);
    await rm(join(dir, 'model.safetensors'));
    const all = tensorsFor(config);
    const names = Object.keys(all);
    const half = Math.ceil(names.length / 2);
    const shards = [names.slice(0, half), names.slice(half)];
    const weightMap: Record<string, string> = {};
    for (const [i, shard] of shards.entries()) {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      await writeSafetensors(join(dir, file), Object.fromEntries(shard.map((n) => [n, all[n]!])));
      for (const n of shard) weightMap[n] = file;
    }
    await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    const folder = await openModelFolder(dir);
    assert.equal(folder.weights.files.length, 2);
    assert.equal(folder.weights.locate('lm_head.weight').path, join(dir, 'model-00002-of-00002.safetensors'));
    await rm(dir, { recursive: true });
  });

  test('broken JSON and a missing config are located', async () => {
    const dir = await makeFolder(tinyConfig('llama'));
    await writeFile(join(dir, 'generation_config.json'), '{"eos_token_id": ');
    await expectFolderError(openModelFolder(dir), join(dir, 'generation_config.json'), 'not valid JSON');
    await rename(join(dir, 'config.json'), join(dir, 'config.old'));
    await expectFolderError(openModelFolder(dir), join(dir, 'config.json'), 'ENOENT');
    await rm(dir, { recursive: true });
  });
});

describe('resolving a model name', () => {
  test('a relative folder resolves against baseDir; an unknown name says what is available', async () => {
    const base = await mkdtemp(join(tmpdir(), 'attune-resolve-'));
    const dir = await makeFolder(tinyConfig('llama'));
    await rename(dir, join(base, 'my-model'));
    const folder = await openModelFolder('my-model', { baseDir: base });
    assert.equal(folder.dir, join(base, 'my-model'));
    await expectFolderError(openModelFolder('no-such-model', { baseDir: base, hubCacheDir: base }), '"no-such-model"', 'attune-tiny-qwen2');
    await rm(base, { recursive: true });
  });

  test('a hub id is found in the local Hugging Face cache without any download', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'attune-hub-'));
    const repo = join(cache, 'models--acme--tiny');
    const snapshot = join(repo, 'snapshots', 'abc123');
    await mkdir(join(repo, 'refs'), { recursive: true });
    await mkdir(join(repo, 'snapshots'), { recursive: true });
    await rename(await makeFolder(tinyConfig('llama')), snapshot);
    await writeFile(join(repo, 'refs', 'main'), 'abc123\n');
    const folder = await openModelFolder('acme/tiny', { hubCacheDir: cache, baseDir: cache });
    assert.equal(folder.dir, snapshot);
    await rm(cache, { recursive: true });
  });
});
