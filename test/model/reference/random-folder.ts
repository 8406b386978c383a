/**
 * Tiny model folders with seeded random weights for decoder tests, written with the safetensors
 * writer into a temp dir, and the tensors read back as float64 for the reference decoder.
 */
import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Xoshiro128 } from '../../../core/base/rng.js';
import { parseDecoderConfig } from '../../../core/model/folder/config.js';
import type { DecoderConfig } from '../../../core/model/folder/config.js';
import { checkWeights } from '../../../core/model/folder/check-weights.js';
import { expectedTensors } from '../../../core/model/folder/expected-tensors.js';
import { resolveModelFolder } from '../../../core/model/folder/resolve.js';
import { float32ToBfloat16, float32ToFloat16 } from '../../../core/model/safetensors/half.js';
import { SafetensorsWeights } from '../../../core/model/safetensors/sharded.js';
import { writeSafetensors } from '../../../core/model/safetensors/writer.js';
import type { TensorToWrite } from '../../../core/model/safetensors/writer.js';
import type { DecoderModel } from '../../../core/model/decoder/index.js';

/** A small Llama config with grouped-query attention (4 query heads over 2 kv heads). */
export function tinyLlamaConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: 16,
    intermediate_size: 24,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    hidden_act: 'silu',
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    max_position_embeddings: 128,
    vocab_size: 3072,
    tie_word_embeddings: false,
    torch_dtype: 'float32',
    ...extra,
  };
}

export interface RandomFolderOptions {
  readonly seed?: number;
  /** Storage dtype of every tensor. Default F32. */
  readonly dtype?: 'F32' | 'F16' | 'BF16';
  /** Copy the embedded model's tokenizer files (needs vocab_size ≥ 3072). Default true. */
  readonly tokenizer?: boolean;
  /** Drop or change tensors before writing. */
  readonly edit?: (tensors: Record<string, TensorToWrite>) => void;
}

/** Writes config.json + model.safetensors; norms near 1, other weights U(−0.3, 0.3)·(scale by fan-in). */
export async function writeRandomFolder(rawConfig: Record<string, unknown>, options: RandomFolderOptions = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'attune-decoder-'));
  const config = parseDecoderConfig(rawConfig, 'config.json');
  const rng = Xoshiro128.fromSeed(options.seed ?? 1);
  const tensors: Record<string, TensorToWrite> = {};
  for (const { name, shape } of expectedTensors(config)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n);
    const isNorm = name.endsWith('norm.weight');
    const spread = isNorm ? 0.2 : name.endsWith('.bias') ? 0.5 : 1.6 / Math.sqrt(shape[shape.length - 1] as number);
    for (let i = 0; i < n; i++) values[i] = (isNorm ? 1 : 0) + (2 * rng.nextFloat() - 1) * spread;
    const dtype = options.dtype ?? 'F32';
    const data = dtype === 'F16' ? float32ToFloat16(values) : dtype === 'BF16' ? float32ToBfloat16(values) : values;
    tensors[name] = { dtype, shape, data };
  }
  options.edit?.(tensors);
  await writeFile(join(dir, 'config.json'), JSON.stringify(rawConfig));
  await writeSafetensors(join(dir, 'model.safetensors'), tensors, { metadata: { format: 'pt' } });
  if (options.tokenizer ?? true) {
    const embedded = resolveModelFolder('attune-tiny-qwen2');
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) await copyFile(join(embedded, f), join(dir, f));
  }
  return dir;
}

/** config + weights of a folder, checked like openModelFolder does, without needing a tokenizer. */
export async function openDecoderModel(dir: string): Promise<DecoderModel & { config: DecoderConfig }> {
  const { readFile } = await import('node:fs/promises');
  const configFile = join(dir, 'config.json');
  const config = parseDecoderConfig(JSON.parse(await readFile(configFile, 'utf8')) as unknown, configFile);
  const weights = await SafetensorsWeights.openFolder(dir);
  checkWeights(config, weights, configFile);
  return { config, weights };
}

/** Every tensor the config needs, widened to float64 (after the storage dtype's rounding). */
export async function readReferenceTensors(model: DecoderModel): Promise<Map<string, Float64Array>> {
  const out = new Map<string, Float64Array>();
  for (const { name } of expectedTensors(model.config)) out.set(name, Float64Array.from(await model.weights.readFloat32(name)));
  return out;
}
