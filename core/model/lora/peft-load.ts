/**
 * Reads a PEFT LoRA adapter folder back into a LoraState for a given base model, checking every
 * tensor name and shape first: a missing, misshapen or unexpected tensor fails naming it.
 */
import { describeZodIssue } from '../../base/zod-issue.js';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Parameter } from '../../engine/optim/parameter.js';
import type { DecoderConfig } from '../folder/config.js';
import { SafetensorsFile, toFloat32 } from '../safetensors/reader.js';
import { isFloatDType } from '../safetensors/dtype.js';
import { LoraError } from './errors.js';
import { loraConfig } from './lora-config.js';
import type { LoraConfig } from './lora-config.js';
import { LoraState, loraFactorShapes } from './lora-state.js';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, EXTRA_TENSORS_FILE } from './peft-save.js';
import { readJsonFile } from '../folder/json-file.js';

export interface LoadedAdapter {
  readonly state: LoraState;
  /** base_model_name_or_path as saved (null when absent). */
  readonly baseModel: string | null;
  /** Tensors from heads.safetensors, when the folder has one. */
  readonly extraTensors: readonly Parameter[];
}

const adapterConfigSchema = z
  .object({
    peft_type: z.string().optional(),
    task_type: z.string().nullable().optional(),
    base_model_name_or_path: z.string().nullable().optional(),
    r: z.number().int().positive(),
    lora_alpha: z.number().positive(),
    lora_dropout: z.number().min(0).lt(1).optional(),
    target_modules: z.union([z.array(z.string()), z.string()]),
    use_rslora: z.boolean().optional(),
    use_dora: z.boolean().optional(),
    fan_in_fan_out: z.boolean().optional(),
    bias: z.string().optional(),
    modules_to_save: z.array(z.string()).nullable().optional(),
    layers_to_transform: z.unknown().optional(),
    rank_pattern: z.record(z.string(), z.unknown()).nullable().optional(),
    alpha_pattern: z.record(z.string(), z.unknown()).nullable().optional(),
  })
  .loose();

const PLAIN_LORA = 'save a plain LoRA adapter (PEFT LoraConfig without this option)';

/** adapter_config.json → LoraConfig, refusing PEFT options the engine does not implement. */
export function parseAdapterConfig(raw: unknown, file: string): { config: LoraConfig; baseModel: string | null } {
  const parsed = adapterConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LoraError(`${file}: key "${issue?.path.join('.') || '(root)'}": ${issue ? describeZodIssue(issue) : 'invalid'}`, 'a PEFT adapter_config.json needs r, lora_alpha and target_modules');
  }
  const c = parsed.data;
  const refuse = (key: string, value: unknown): never => {
    throw new LoraError(`${file}: key "${key}" is ${JSON.stringify(value)}, which Attune does not support`, PLAIN_LORA);
  };
  if (c.peft_type !== undefined && c.peft_type !== 'LORA') refuse('peft_type', c.peft_type);
  if (c.task_type != null && c.task_type !== 'CAUSAL_LM') refuse('task_type', c.task_type);
  if (c.use_dora) refuse('use_dora', c.use_dora);
  if (c.fan_in_fan_out) refuse('fan_in_fan_out', c.fan_in_fan_out);
  if (c.bias !== undefined && c.bias !== 'none') refuse('bias', c.bias);
  if (c.modules_to_save && c.modules_to_save.length > 0) refuse('modules_to_save', c.modules_to_save);
  if (c.layers_to_transform != null) refuse('layers_to_transform', c.layers_to_transform);
  if (c.rank_pattern && Object.keys(c.rank_pattern).length > 0) refuse('rank_pattern', c.rank_pattern);
  if (c.alpha_pattern && Object.keys(c.alpha_pattern).length > 0) refuse('alpha_pattern', c.alpha_pattern);
  const config = loraConfig(
    { r: c.r, alpha: c.lora_alpha, dropout: c.lora_dropout ?? 0, targetModules: c.target_modules, useRslora: c.use_rslora ?? false },
    `${file}`,
  );
  return { config, baseModel: c.base_model_name_or_path ?? null };
}

/** PEFT older than 0.7 saved adapter names with `.default` before `.weight`. */
function storedKey(file: SafetensorsFile, key: string): string | undefined {
  if (file.has(key)) return key;
  const legacy = key.replace(/\.weight$/, '.default.weight');
  return file.has(legacy) ? legacy : undefined;
}

async function readFloatTensor(file: SafetensorsFile, key: string): Promise<Float32Array> {
  const t = await file.read(key);
  // toFloat32 returns the read buffer itself for F32; it is fresh memory, safe to own.
  return toFloat32(t, file.path);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Loads `dir` for the base model `model`; every problem is listed with the tensor it concerns. */
export async function loadLoraAdapter(dir: string, model: DecoderConfig): Promise<LoadedAdapter> {
  const configFile = join(dir, ADAPTER_CONFIG_FILE);
  const raw = await readJsonFile(configFile).catch((error: Error) => {
    throw new LoraError(error.message, 'an adapter folder holds adapter_config.json and adapter_model.safetensors (PEFT save_pretrained)');
  });
  const { config, baseModel } = parseAdapterConfig(raw, configFile);
  const weightsFile = join(dir, ADAPTER_WEIGHTS_FILE);
  const file = await SafetensorsFile.open(weightsFile).catch((error: Error) => {
    throw new LoraError(error.message, 'an adapter folder holds adapter_model.safetensors next to adapter_config.json');
  });

  const problems: string[] = [];
  const used = new Set<string>();
  const found: { name: string; shape: [number, number]; stored: string }[] = [];
  for (const { name, shape } of loraFactorShapes(config, model)) {
    const stored = storedKey(file, name);
    if (!stored) {
      problems.push(`missing tensor "${name}" (expected shape [${shape.join(', ')}])`);
      continue;
    }
    used.add(stored);
    const info = file.info(stored);
    if (!isFloatDType(info.dtype)) problems.push(`tensor "${stored}" has dtype ${info.dtype}; expected F32, F16 or BF16`);
    else if (info.shape.length !== 2 || info.shape[0] !== shape[0] || info.shape[1] !== shape[1]) {
      problems.push(`tensor "${stored}" has shape [${info.shape.join(', ')}]; r=${config.r} on this base model implies [${shape.join(', ')}]`);
    } else found.push({ name, shape, stored });
  }
  for (const name of file.names()) if (!used.has(name)) problems.push(`unexpected tensor "${name}" (not a factor of target_modules ${config.targetModules.join(', ')} on a ${model.numLayers}-layer model)`);
  if (problems.length > 0) {
    const listed = problems.slice(0, 12);
    if (problems.length > 12) listed.push(`... and ${problems.length - 12} more`);
    throw new LoraError(
      `${weightsFile} does not fit ${configFile} on the base model (${model.architecture}, hidden ${model.hiddenSize}, ${model.numLayers} layers):\n  ${listed.join('\n  ')}`,
      'the adapter was saved for a different base model or config; use the base model it was trained on',
    );
  }
  const parameters: Parameter[] = [];
  for (const { name, shape, stored } of found) parameters.push({ name, shape, data: await readFloatTensor(file, stored) });

  const extras: Parameter[] = [];
  const extraFile = join(dir, EXTRA_TENSORS_FILE);
  if (await exists(extraFile)) {
    const heads = await SafetensorsFile.open(extraFile);
    for (const name of heads.names()) {
      const info = heads.info(name);
      if (!isFloatDType(info.dtype)) throw new LoraError(`${extraFile}: tensor "${name}" has dtype ${info.dtype}; trainable tensors are floating point`);
      extras.push({ name, shape: [...info.shape], data: await readFloatTensor(heads, name) });
    }
  }
  return { state: new LoraState(config, model.numLayers, parameters), baseModel, extraTensors: extras };
}
