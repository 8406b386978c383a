/** Builds small model folders on disk for tests, reusing the embedded model's tokenizer files. */
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDecoderConfig } from '../../core/model/folder/config.js';
import { expectedTensors } from '../../core/model/folder/expected-tensors.js';
import { resolveModelFolder } from '../../core/model/folder/resolve.js';
import { writeSafetensors } from '../../core/model/safetensors/writer.js';
import type { TensorToWrite } from '../../core/model/safetensors/writer.js';

export function tinyConfig(modelType: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const cls = { llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM', mistral: 'MistralForCausalLM' }[modelType] ?? 'XForCausalLM';
  return {
    architectures: [cls],
    model_type: modelType,
    hidden_size: 8,
    intermediate_size: 12,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    hidden_act: 'silu',
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    max_position_embeddings: 64,
    vocab_size: 3072,
    tie_word_embeddings: false,
    torch_dtype: 'float32',
    bos_token_id: 3069,
    eos_token_id: 3071,
    ...extra,
  };
}

export interface FolderOptions {
  /** Change the tensor map before it is written (drop, reshape, retype). */
  edit?: (tensors: Record<string, TensorToWrite>) => void;
  generationConfig?: Record<string, unknown>;
  withTokenizer?: boolean;
}

export function tensorsFor(config: Record<string, unknown>): Record<string, TensorToWrite> {
  const tensors: Record<string, TensorToWrite> = {};
  for (const { name, shape } of expectedTensors(parseDecoderConfig(config, 'config.json'))) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.5);
    tensors[name] = { dtype: 'F32', shape, data };
  }
  return tensors;
}

export async function makeFolder(config: Record<string, unknown>, options: FolderOptions = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'attune-folder-'));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  const tensors = tensorsFor(config);
  options.edit?.(tensors);
  await writeSafetensors(join(dir, 'model.safetensors'), tensors);
  if (options.generationConfig) await writeFile(join(dir, 'generation_config.json'), JSON.stringify(options.generationConfig));
  if (options.withTokenizer ?? true) await copyTokenizer(dir);
  return dir;
}

export async function copyTokenizer(dir: string): Promise<void> {
  const embedded = resolveModelFolder('attune-tiny-qwen2');
  await copyFile(join(embedded, 'tokenizer.json'), join(dir, 'tokenizer.json'));
  await copyFile(join(embedded, 'tokenizer_config.json'), join(dir, 'tokenizer_config.json'));
}
